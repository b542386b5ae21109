"""The pure core: rules with no Django in them, so they can be tested exhaustively.

Nothing here imports Django or touches a database; every function that depends on the
clock takes `now` as an argument.
"""
