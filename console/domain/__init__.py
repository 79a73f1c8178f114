"""Qt-free code shared by the workstation and the server: schema, mutations, clocks, ids.

Anything here must mean the same thing on both sides of the sync protocol, so it imports
neither Qt nor anything workstation- or server-specific.
"""
