# Registration lives in tryton.cfg [register] (Tryton 8.0 convention); the
# routes module is imported for its @app.route side effects.
from . import routes  # noqa: F401
