"""Benchmarks of the screens (they need Streamlit, which the core in scoring/ never imports)."""
