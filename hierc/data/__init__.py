"""Data binding: a table and a model → design matrices, level indices, the inputs each backend reads,
and the per-level sufficient statistics of a gaussian likelihood."""
