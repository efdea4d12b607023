"""Vietnamese text in, tags out. Today: NFC and accent folding; models land with the NLP issue."""
