# Registration lives in tryton.cfg [register] (Tryton 8.0 convention).
