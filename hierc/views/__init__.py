"""Pictures of models and fits: the model as a graphical model, diagnostic plots."""
