using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Tests.Architecture;

/// <summary>
/// Which top-level folders of the core library (<c>src/Switchboard/X</c> = namespace <c>Switchboard.X</c>) use which,
/// read from the source: <c>using Switchboard.Y…;</c> directives, fully-qualified names (<c>Switchboard.Y.Z</c>) and
/// names qualified from the root namespace (<c>Y.Z</c> written inside <c>Switchboard.X</c>, where <c>Z</c> is a type or
/// namespace declared in <c>Switchboard.Y</c>). Comments and strings are ignored; doc-comment <c>cref</c>s are not
/// dependencies. Each edge keeps the files that make it, so a failure can say where to look.
/// </summary>
internal sealed partial class NamespaceGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> _edges;

    private NamespaceGraph(IReadOnlyList<string> folders, SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> edges, IReadOnlyList<string> files)
    {
        Folders = folders;
        _edges = edges;
        Files = files;
    }

    /// <summary>The top-level folders (sorted).</summary>
    public IReadOnlyList<string> Folders { get; }

    /// <summary>Every source file read, relative to the core directory, with its top-level namespace folder.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The folders <paramref name="folder"/> uses (not itself).</summary>
    public IReadOnlyCollection<string> DependenciesOf(string folder) =>
        _edges.TryGetValue(folder, out var to) ? to.Keys : Array.Empty<string>();

    /// <summary>The files of <paramref name="from"/> that use <paramref name="to"/> (sorted; empty when none).</summary>
    public IReadOnlyCollection<string> FilesOf(string from, string to) =>
        _edges.TryGetValue(from, out var targets) && targets.TryGetValue(to, out var files) ? files : Array.Empty<string>();

    /// <summary>The graph of the core library under <paramref name="coreDirectory"/> (<c>src/Switchboard</c>).</summary>
    public static NamespaceGraph Load(string coreDirectory)
    {
        var folders = Directory.GetDirectories(coreDirectory)
            .Select(Path.GetFileName)
            .Where(name => name is not null and not "bin" and not "obj" && !name.StartsWith('.'))
            .Select(name => name!)
            .ToList();
        var files = Directory.EnumerateFiles(coreDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(coreDirectory, path).Replace('\\', '/'))
            .Where(relative => !relative.StartsWith("bin/", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal))
            .Select(relative => (relative, File.ReadAllText(Path.Combine(coreDirectory, relative))));
        return FromSources(folders, files);
    }

    /// <summary>The graph of the given sources (path relative to the core directory, text) over <paramref name="folders"/>.</summary>
    public static NamespaceGraph FromSources(IEnumerable<string> folders, IEnumerable<(string Path, string Text)> sources)
    {
        var known = folders.Order(StringComparer.Ordinal).ToList();
        var code = sources
            .Select(s => (s.Path, Code: CSharpCode.Strip(s.Text)))
            .Select(s => (s.Path, s.Code, Folder: NamespaceFolder(s.Code)))
            .OrderBy(s => s.Path, StringComparer.Ordinal)
            .ToList();

        // What Y.Z may name: the types and child namespaces declared in Switchboard.Y.
        var members = known.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (_, text, folder) in code)
        {
            if (folder is null || !members.TryGetValue(folder, out var names))
            {
                continue;
            }

            foreach (Match m in NamespaceLine().Matches(text))
            {
                if (m.Groups["rest"].Value is { Length: > 0 } rest)
                {
                    names.Add(rest.Split('.', StringSplitOptions.RemoveEmptyEntries)[0]);
                }
            }

            foreach (Match m in TypeDeclaration().Matches(text))
            {
                names.Add(m.Groups["name"].Value);
            }
        }

        var edges = new SortedDictionary<string, SortedDictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        var relative = RelativeReference(known);
        foreach (var (path, text, folder) in code)
        {
            if (folder is null || !members.ContainsKey(folder))
            {
                continue;
            }

            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match m in QualifiedReference().Matches(text))
            {
                used.Add(m.Groups["folder"].Value);
            }

            if (relative is not null)
            {
                foreach (Match m in relative.Matches(text))
                {
                    var target = m.Groups["folder"].Value;
                    if (members[target].Contains(m.Groups["member"].Value))
                    {
                        used.Add(target);
                    }
                }
            }

            foreach (var target in used.Where(t => t != folder && members.ContainsKey(t)))
            {
                if (!edges.TryGetValue(folder, out var targets))
                {
                    edges[folder] = targets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
                }

                if (!targets.TryGetValue(target, out var files))
                {
                    targets[target] = files = new SortedSet<string>(StringComparer.Ordinal);
                }

                files.Add(path);
            }
        }

        return new NamespaceGraph(known, edges, code.Select(c => c.Path).ToList());
    }

    /// <summary>The top-level folder of the namespace declared in <paramref name="code"/> (<c>X</c> of <c>Switchboard.X…</c>); null when none.</summary>
    public static string? NamespaceFolder(string code) =>
        NamespaceLine().Match(code) is { Success: true } m ? m.Groups["folder"].Value : null;

    /// <summary>The strongly connected components with more than one folder (each sorted), i.e. the import cycles.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        // Tarjan's algorithm; the graph is a few dozen nodes, recursion is fine.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in DependenciesOf(v))
            {
                if (!index.TryGetValue(w, out var seen))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);

                if (component.Count > 1)
                {
                    components.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var folder in Folders)
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        return components.OrderBy(c => c[0], StringComparer.Ordinal).ToList();
    }

    /// <summary>A cycle's edges, one per line, each with the first file that makes it (and how many do).</summary>
    public string Describe(IReadOnlyList<string> component)
    {
        var text = new StringBuilder();
        text.Append("cycle {").Append(string.Join(", ", component)).Append("}:").AppendLine();
        foreach (var from in component)
        {
            foreach (var to in DependenciesOf(from).Where(component.Contains))
            {
                AppendEdge(text, from, to);
            }
        }

        return text.ToString();
    }

    /// <summary>Every edge, one per line, each with the first file that makes it.</summary>
    public string DescribeAll()
    {
        var text = new StringBuilder();
        foreach (var from in Folders)
        {
            foreach (var to in DependenciesOf(from))
            {
                AppendEdge(text, from, to);
            }
        }

        return text.ToString();
    }

    private void AppendEdge(StringBuilder text, string from, string to)
    {
        var files = FilesOf(from, to);
        text.Append("  ").Append(from).Append(" -> ").Append(to).Append("  (e.g. ").Append(files.First());
        if (files.Count > 1)
        {
            text.Append(", and ").Append(files.Count - 1).Append(" more");
        }

        text.Append(')').AppendLine();
    }

    /// <summary><c>Y</c> followed by a dot, not preceded by a name or a dot: a name qualified from the root namespace.</summary>
    private static Regex? RelativeReference(IReadOnlyList<string> folders) => folders.Count == 0
        ? null
        : new Regex(@"(?<![\w.])(?<folder>" + string.Join('|', folders.Select(Regex.Escape)) + @")\s*\.\s*(?<member>@?\w+)", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"^\s*namespace\s+Switchboard\.(?<folder>\w+)(?<rest>(?:\.\w+)*)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"(?<![\w.])(?:global\s*::\s*)?Switchboard\s*\.\s*(?<folder>\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedReference();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record|delegate\s+[\w.<>\[\],?\s]+?)\s+(?:(?:class|struct)\s+)?(?<name>\w+)\s*(?=[<({:;\s]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex TypeDeclaration();
}
