"""Neural network modules (:mod:`shoal.nn.modules`) and combinators (:mod:`shoal.nn.combinators`)."""
