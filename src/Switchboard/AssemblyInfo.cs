// The core library keeps a small public surface; hosts and tests see internals.
[assembly: System.CLSCompliant(false)]
