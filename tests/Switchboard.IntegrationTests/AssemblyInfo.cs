// Calls run in real time on a 2-core machine: run test classes one after another so timing assertions hold.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
