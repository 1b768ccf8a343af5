# Registration lives in tryton.cfg [register] (Tryton 8.0 convention).
# Other modules add alert types with Alert.register_alert_type() from a
# class listed under `[register stock_safety_alert]` in their tryton.cfg.
