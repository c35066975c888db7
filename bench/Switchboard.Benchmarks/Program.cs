using BenchmarkDotNet.Running;
using Switchboard.Benchmarks;

// Micro-benchmarks: dotnet run -c Release --project bench/Switchboard.Benchmarks -- --filter '*'
// Ledger precision vs mark spacing: dotnet run -c Release --project bench/Switchboard.Benchmarks -- ledger
if (args is ["ledger"])
{
    await LedgerPrecision.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(FramePathBenchmarks).Assembly).Run(args);
