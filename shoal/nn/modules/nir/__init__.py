"""Export to and import from NIR, the Neuromorphic Intermediate Representation.

``to_nir(module)`` gives a ``nir.NIRGraph``; ``from_nir(graph_or_path, dt=None,
backend="numpy")`` builds a shoal module from one. Both need the optional ``nir`` package
(``pip install 'shoal[nir]'``), imported only when they are called. The mappings, the
discretisation of NIR's continuous-time equations and the parameter conversions are documented in
:mod:`shoal.nn.modules.nir._conversions`.
"""

from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir.export import to_nir
from shoal.nn.modules.nir.importer import from_nir

__all__ = ["NIRConversionError", "from_nir", "to_nir"]
