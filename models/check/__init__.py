"""Stage 5, check: does the English keep the original's numbers and names?"""
