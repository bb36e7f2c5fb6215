using System.Text;

namespace AutoCurv.Generator.Emit;

/// <summary>An indent-aware string builder; newlines are always "\n" so output is identical everywhere.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public void Line(string text = "")
    {
        if (text.Length > 0) _builder.Append(' ', _indent * 4).Append(text);
        _builder.Append('\n');
    }

    public void Open(string header)
    {
        if (header.Length > 0) Line(header);
        Line("{");
        Indent();
    }

    public void Close(string suffix = "")
    {
        Unindent();
        Line("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
