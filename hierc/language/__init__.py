"""The language: spec text → parse tree → AST (what the user wrote) → IR (what the model means).

`pipeline.load` runs it all; `vocabulary` holds the closed sets of names,
`ir` the model every later stage reads.
"""
