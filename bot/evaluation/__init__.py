"""Evaluation of the bot against labelled files, conversations and voice clips; never imported by the running bot."""
