"""The Bambi backend: a standalone script that builds a `bmb.Model`, and the same model in-process."""
