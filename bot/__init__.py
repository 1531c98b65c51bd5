"""A clinic's question-answering bot about sciatica, piriformis syndrome and massage."""

__version__ = "0.1.0"
