"""Smoke test of the MPI stack: every rank reports, rank 0 prints the reduced sum."""

from mpi4py import MPI

comm = MPI.COMM_WORLD
total = comm.allreduce(comm.Get_rank() + 1, op=MPI.SUM)
if comm.Get_rank() == 0:
    print(f"size={comm.Get_size()} sum={total}")
