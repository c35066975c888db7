using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Switchboard.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Benchmarks.FramePathBenchmarks).Assembly).Run(args);
