"""The store admin: orders, voucher batches and reviews (see routes.py)."""
