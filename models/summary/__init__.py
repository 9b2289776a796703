"""Stage 4, facts and summary: numbers, dates and names, and the key-fact bullets."""

# How many bullets a summary may have; here, not in ``summarize``, so that building the command
# line's parser does not import the summarizer (numpy, the stemmer) at every start.
MIN_BULLETS = 1
MAX_BULLETS = 10
