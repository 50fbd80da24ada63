"""Grounding: finding each value the model gave in the article, and refusing or correcting what the article
does not state (counts, qualifiers, speakers, time windows)."""
