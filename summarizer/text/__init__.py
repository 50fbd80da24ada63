"""Text and time normalisation shared by loading, grounding, the reader and the merge: name keys, figures in
words, quote and dash folding, and time expressions resolved against a publication date."""
