"""Stage 1, read: a file, a link or the clipboard -> article text in segmenter shape + provenance.

``files`` dispatches on the kind; ``decode`` turns bytes into text; ``html`` (trafilatura),
``docx`` (python-docx) and ``markdown`` (markdown-it-py) read their formats; ``web`` fetches a
link (httpx); ``compose`` gives every reader's blocks the one shape the segmenter expects;
``types`` holds what they hand on and the table of file types. Import the module you need: this
package imports nothing, so reading one text file never loads the others' code.
"""
