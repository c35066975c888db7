namespace Switchboard.Transport;

/// <summary>Why a JSON document was refused by <see cref="JsonInput"/>: the field's path (empty for the document itself) and what is wrong.</summary>
internal sealed record JsonInputProblem(string Field, string Message);
