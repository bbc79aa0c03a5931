"""The four screens of the interview workflow and their dialogs."""
