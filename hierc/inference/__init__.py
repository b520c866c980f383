"""After the model is built: sampling options and reports, per-row quantities, comparing backends'
posteriors, and diagnosing the fit."""
