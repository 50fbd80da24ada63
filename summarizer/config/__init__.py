"""Settings from flags and the environment, the secrets they hold, and which optional parts are installed.

The lowest layer above ``summarizer.errors``: every other package reads its settings from here."""
