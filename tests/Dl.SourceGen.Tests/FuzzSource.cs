using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dl.SourceGen.Tests;

/// <summary>
/// One seed model parsed once, with the places mutations edit: the model class, its Forward and Loss,
/// the namespace line. Every mutation is a text edit of the seed (so the mutated source is exactly what
/// the failure message shows), located through the syntax tree.
/// </summary>
internal sealed class FuzzSource
{
    public FuzzSource(string name, string text)
    {
        Name = name;
        Text = text;
        Root = CSharpSyntaxTree.ParseText(text, GeneratorHarness.LanguageOptions).GetCompilationUnitRoot();
        Model = Root.DescendantNodes().OfType<ClassDeclarationSyntax>()
            .Single(c => c.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() == "Model"));
        Forward = Method("Forward")!;
        Loss = Method("Loss");
        Namespace = Root.Members.OfType<FileScopedNamespaceDeclarationSyntax>().Single();
    }

    public string Name { get; }
    public string Text { get; }
    public CompilationUnitSyntax Root { get; }
    public ClassDeclarationSyntax Model { get; }
    public MethodDeclarationSyntax Forward { get; }
    public MethodDeclarationSyntax? Loss { get; }
    public FileScopedNamespaceDeclarationSyntax Namespace { get; }

    public string ClassName => Model.Identifier.Text;

    /// <summary>The <c>namespace Fuzz;</c> line.</summary>
    public TextSpan NamespaceLine => TextSpan.FromBounds(Namespace.NamespaceKeyword.SpanStart, Namespace.SemicolonToken.Span.End);

    /// <summary>Forward's first parameter: statements inserted into Forward read and assign it.</summary>
    public string Input => Forward.ParameterList.Parameters[0].Identifier.Text;

    private MethodDeclarationSyntax? Method(string name) =>
        Model.Members.OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.Text == name);

    /// <summary>The seed with <paramref name="span"/> replaced by <paramref name="replacement"/>.</summary>
    public string Replace(TextSpan span, string replacement) =>
        Text.Substring(0, span.Start) + replacement + Text.Substring(span.End);

    /// <summary>The seed with several non-overlapping edits applied.</summary>
    public string Edit(IEnumerable<(TextSpan Span, string Replacement)> edits)
    {
        var text = Text;
        foreach (var (span, replacement) in edits.OrderByDescending(e => e.Span.Start))
            text = text.Substring(0, span.Start) + replacement + text.Substring(span.End);
        return text;
    }

    public string InsertAt(int position, string text) => Replace(new TextSpan(position, 0), text);

    /// <summary>A member added at the top of the model class.</summary>
    public string AddMember(string member) => InsertAt(Model.OpenBraceToken.Span.End, "\n    " + member);

    /// <summary>Source added after the model class (more types in the same namespace).</summary>
    public string AddAfterModel(string types) => InsertAt(Model.Span.End, "\n" + types);

    /// <summary>
    /// Statements run at the start of Forward (an expression body becomes a block). <c>{x}</c> in
    /// <paramref name="statements"/> stands for Forward's first parameter.
    /// </summary>
    public string InsertInForward(string statements, string? member = null)
    {
        statements = statements.Replace("{x}", Input);
        string body;
        if (Forward.ExpressionBody is { } arrow)
            body = "\n    {\n        " + statements + "\n        return " + arrow.Expression + ";\n    }";
        else
            body = Forward.Body!.OpenBraceToken.ToString() + "\n        " + statements + Forward.Body.ToString().Substring(1);
        var bodySpan = Forward.ExpressionBody is { } e
            ? TextSpan.FromBounds(Forward.ParameterList.Span.End, Forward.SemicolonToken.Span.End)
            : Forward.Body!.Span;
        var edits = new List<(TextSpan, string)> { (bodySpan, body) };
        if (member is not null) edits.Add((new TextSpan(Model.OpenBraceToken.Span.End, 0), "\n    " + member.Replace("{x}", Input)));
        return Edit(edits);
    }

    /// <summary>Forward's returned expressions wrapped: <c>{0}</c> stands for each returned expression.</summary>
    public string WrapForwardResult(string format) => WrapReturns(Forward, format);

    public string? WrapLossResult(string format) => Loss is null ? null : WrapReturns(Loss, format);

    private string WrapReturns(MethodDeclarationSyntax method, string format)
    {
        var returned = method.ExpressionBody is { } arrow
            ? new[] { arrow.Expression }
            : method.Body!.DescendantNodes().OfType<ReturnStatementSyntax>().Select(r => r.Expression!).ToArray();
        return Edit(returned.Select(r => (r.Span, string.Format(format, "(" + r + ")"))));
    }

    /// <summary>Renames a parameter of <paramref name="method"/> and every identifier in it that names it.</summary>
    public string RenameParameter(MethodDeclarationSyntax method, int index, string newName)
    {
        if (index >= method.ParameterList.Parameters.Count) return Text;
        var old = method.ParameterList.Parameters[index].Identifier;
        var uses = method.DescendantTokens()
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == old.ValueText && t.Parent is IdentifierNameSyntax or ParameterSyntax)
            .Select(t => (t.Span, newName));
        return Edit(uses);
    }

    /// <summary>Renames the model class (its declaration and every identifier naming it).</summary>
    public string RenameModel(string newName) => Edit(Root.DescendantTokens()
        .Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == ClassName
                    && (t.Parent is IdentifierNameSyntax || t == Model.Identifier))
        .Select(t => (t.Span, newName)));

    /// <summary>The model class's text (attributes included), to copy or wrap.</summary>
    public string ModelText => Text.Substring(Model.FullSpan.Start, Model.FullSpan.Length);

    /// <summary>The model class wrapped in <paramref name="before"/> ... <c>}</c>.</summary>
    public string WrapModel(string before) =>
        Replace(Model.FullSpan, before + "\n{\n" + ModelText + "\n}\n");

    /// <summary>Tokens inside the model class, for random edits.</summary>
    public IReadOnlyList<SyntaxToken> ModelTokens => Model.DescendantTokens().ToList();

    /// <summary>Numeric literals anywhere in the file (layer classes too).</summary>
    public IReadOnlyList<SyntaxToken> NumericLiterals =>
        Root.DescendantTokens().Where(t => t.IsKind(SyntaxKind.NumericLiteralToken)).ToList();

    /// <summary>Blocks with at least two statements (for swaps and random insertions).</summary>
    public IReadOnlyList<BlockSyntax> Blocks =>
        Root.DescendantNodes().OfType<BlockSyntax>().Where(b => b.Statements.Count >= 2).ToList();

    /// <summary>Positions before a statement inside a method of the model or a layer (random insertions).</summary>
    public IReadOnlyList<int> StatementStarts =>
        Root.DescendantNodes().OfType<BlockSyntax>().SelectMany(b => b.Statements.Select(s => s.SpanStart)).ToList();
}
