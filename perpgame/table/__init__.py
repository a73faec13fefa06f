"""One table, many traders: a shared exchange that several people (and programs) trade on.

Layers inside: :mod:`core` (the authoritative table: a session with seats, the input log),
:mod:`views` (what a seat sees), :mod:`protocol` (the messages, validated), :mod:`log` (the table
log, which is a replay), :mod:`server` (websockets, one process, asyncio).
"""
