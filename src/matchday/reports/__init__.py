"""Report writers: generated documents (the case studies) built from the store through
:mod:`matchday.workflows`. The command line calls them; nothing below imports them."""
