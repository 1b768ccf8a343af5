# Registration lives in tryton.cfg [register] (Tryton 8.0 convention); the
# routes modules are imported for their @app.route side effects.
from . import routes  # noqa: F401
from . import routes_lookup  # noqa: F401
from . import routes_qc  # noqa: F401
from . import routes_production  # noqa: F401
