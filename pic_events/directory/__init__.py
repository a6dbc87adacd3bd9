"""The PIC network: sectors, clusters and their member organisations."""
