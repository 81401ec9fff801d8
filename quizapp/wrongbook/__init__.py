"""The wrong-answer book (错题本), below both attempts (which book into it) and practice."""
