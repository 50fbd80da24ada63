"""Combining the two sources of a record: the model's grounded answer and the reader's, field by field, led by
the trust profile measured for that model on the evals (``trust``), chosen in ``choose``."""
