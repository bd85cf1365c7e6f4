"""The price books: the data (model.py: a book, read and checked whole) and the catalog of them
(catalog.py: every book with its dates, the one in force on a day, the default)."""
