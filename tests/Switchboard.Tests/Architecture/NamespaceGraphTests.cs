using Xunit.Abstractions;

namespace Switchboard.Tests.Architecture;

/// <summary>
/// The core library's folders form a DAG (docs/architecture.md, "Folders"): these tests read every <c>.cs</c> file under
/// <c>src/Switchboard</c>, build the graph of which top-level folder uses which, and fail on any import cycle.
/// </summary>
public sealed class NamespaceGraphTests
{
    /// <summary>
    /// Folders still allowed to import each other while the call-engine refactor ("one call engine") rewrites them.
    /// A cycle is tolerated only when every folder in it is listed here; empty this set once that refactor lands.
    /// </summary>
    private readonly ITestOutputHelper _output;

    public NamespaceGraphTests(ITestOutputHelper output) => _output = output;

    private static string CoreDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("no Switchboard.slnx above " + AppContext.BaseDirectory), "src", "Switchboard");
    }

    [Fact]
    public void CoreFolders_ImportGraph_HasNoCycle()
    {
        var graph = NamespaceGraph.Load(CoreDirectory());
        _output.WriteLine(graph.DescribeAll());
        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0,
            $"The core folders must form a DAG; {cycles.Count} import cycle(s):\n" + string.Concat(cycles.Select(graph.Describe)));
    }

    [Fact]
    public void CoreFolders_NoFeature_DependsOnStorage()
    {
        // Storage holds adapters: it implements the features' store interfaces, and only the host composes it.
        var graph = NamespaceGraph.Load(CoreDirectory());
        var users = graph.Folders.Where(f => f != "Storage" && graph.DependenciesOf(f).Contains("Storage")).ToList();

        Assert.True(users.Count == 0, "Storage/ is adapters only, yet these folders use it:\n"
            + string.Concat(users.Select(u => $"  {u} -> Storage  (e.g. {graph.FilesOf(u, "Storage").First()})\n")));
    }

    [Fact]
    public void CoreFiles_Namespace_MatchesFolder()
    {
        // The graph is read from namespace lines, and the layout promises folder = namespace.
        var core = CoreDirectory();
        var wrong = new List<string>();
        foreach (var path in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(core, path).Replace('\\', '/');
            var folder = Path.GetDirectoryName(relative)!.Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || folder.Length == 0)
            {
                continue;
            }

            var expected = "Switchboard." + folder.Replace('/', '.');
            var declared = System.Text.RegularExpressions.Regex.Match(CSharpCode.Strip(File.ReadAllText(path)), @"^\s*namespace\s+([\w.]+)", System.Text.RegularExpressions.RegexOptions.Multiline);
            if (!declared.Success || declared.Groups[1].Value != expected)
            {
                wrong.Add($"  {relative}: {(declared.Success ? declared.Groups[1].Value : "no namespace")}, expected {expected}");
            }
        }

        Assert.True(wrong.Count == 0, "Files whose namespace is not their folder:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void Load_CoreLibrary_ReadsItsFilesAndKnownEdges()
    {
        var graph = NamespaceGraph.Load(CoreDirectory());

        Assert.True(graph.Files.Count > 100, $"only {graph.Files.Count} files read");
        Assert.Contains("Calls", graph.Folders);
        Assert.Contains("Audio", graph.DependenciesOf("Backends"));
        Assert.DoesNotContain(graph.Folders, f => f is "bin" or "obj");
    }

    [Fact]
    public void FromSources_UsingsAndQualifiedNames_AreDependencies()
    {
        var graph = NamespaceGraph.FromSources(["A", "B", "C", "D"],
        [
            ("A/One.cs", "using Switchboard.B;\nnamespace Switchboard.A;\ninternal sealed class One;"),
            ("B/Two.cs", "namespace Switchboard.B;\ninternal sealed class Two { object X => new global::Switchboard.C.Three(); }"),
            ("C/Three.cs", "namespace Switchboard.C;\ninternal sealed class Three { object Y => D.Sub.Four.Make(); }"),
            ("D/Sub/Four.cs", "namespace Switchboard.D.Sub;\ninternal static class Four { public static object Make() => null!; }"),
        ]);

        Assert.Equal(["B"], graph.DependenciesOf("A"));
        Assert.Equal(["C"], graph.DependenciesOf("B"));
        Assert.Equal(["D"], graph.DependenciesOf("C"));
        Assert.Equal(["C/Three.cs"], graph.FilesOf("C", "D"));
        Assert.Empty(graph.Cycles());
    }

    [Fact]
    public void FromSources_CommentsStringsAndLookalikeMembers_AreNotDependencies()
    {
        var graph = NamespaceGraph.FromSources(["A", "B"],
        [
            ("A/One.cs", """"
                namespace Switchboard.A;
                // using Switchboard.B;
                /// <summary>See <see cref="B.Two"/>.</summary>
                internal sealed class One
                {
                    /* B.Two */
                    private static readonly string[] B = ["Switchboard.B", @"B.Two", $"{B.Length} B.Two {{B.Two}}", $$"""{{B.Length}} B.Two""", '"'.ToString()];
                    public int Count => B.Length + "B.Two".Length;
                }
                """"),
            ("B/Two.cs", "namespace Switchboard.B;\ninternal sealed class Two;"),
        ]);

        Assert.Empty(graph.DependenciesOf("A"));
    }

    [Fact]
    public void FromSources_InterpolationHole_IsCode()
    {
        var graph = NamespaceGraph.FromSources(["A", "B"],
        [
            ("A/One.cs", "namespace Switchboard.A;\ninternal static class One { public static string S => $\"x {B.Two.Name} y\"; }"),
            ("B/Two.cs", "namespace Switchboard.B;\ninternal static class Two { public const string Name = \"two\"; }"),
        ]);

        Assert.Equal(["B"], graph.DependenciesOf("A"));
    }

    [Fact]
    public void Cycles_FoldersImportingEachOther_AreOneComponentWithAnExampleFilePerEdge()
    {
        var graph = NamespaceGraph.FromSources(["A", "B", "C", "D"],
        [
            ("A/One.cs", "using Switchboard.B;\nnamespace Switchboard.A;\ninternal sealed class One;"),
            ("B/Two.cs", "using Switchboard.C;\nnamespace Switchboard.B;\ninternal sealed class Two;"),
            ("C/Three.cs", "using Switchboard.A;\nusing Switchboard.D;\nnamespace Switchboard.C;\ninternal sealed class Three;"),
            ("D/Four.cs", "namespace Switchboard.D;\ninternal sealed class Four;"),
        ]);

        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["A", "B", "C"], cycle);
        var text = graph.Describe(cycle);
        Assert.Contains("C -> A  (e.g. C/Three.cs)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("-> D", text, StringComparison.Ordinal);
    }
}
