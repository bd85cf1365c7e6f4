"""Workbooks written with openpyxl. Imports openpyxl: keep it out of the UDF path."""
