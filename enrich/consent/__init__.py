"""Consent that holds: the do-not-contact register (``register``), the secret key it and the
pseudonymised exports are keyed with (``keys``)."""
