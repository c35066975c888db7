using System.Text.Json;
using Switchboard.Agents.Tools;

namespace Switchboard.Tests.Agents.Tools;

/// <summary>The JSON Schema subset tool arguments are checked against before a tool runs.</summary>
public class ArgumentSchemaTests
{
    private const string OrderSchema = """
        {
          "type": "object",
          "properties": {
            "order_id": { "type": "string", "pattern": "^A-[0-9]{4}$" },
            "quantity": { "type": "integer", "minimum": 1, "maximum": 10 },
            "express": { "type": "boolean" },
            "channel": { "enum": ["phone", "web"] },
            "items": { "type": "array", "items": { "type": "string", "minLength": 2 }, "maxItems": 3, "uniqueItems": true },
            "note": { "type": ["string", "null"], "maxLength": 5 }
          },
          "required": ["order_id"],
          "additionalProperties": false
        }
        """;

    private static IReadOnlyList<SchemaError> Check(string schema, string instance)
    {
        using var s = JsonDocument.Parse(schema);
        using var i = JsonDocument.Parse(instance);
        return ArgumentSchema.Validate(s.RootElement, i.RootElement);
    }

    [Theory]
    [InlineData("""{"order_id":"A-1042"}""")]
    [InlineData("""{"order_id":"A-1042","quantity":3,"express":true,"channel":"web","items":["ab","cd"],"note":null}""")]
    [InlineData("""{"order_id":"A-1042","quantity":2.0}""")]
    [InlineData("""{"order_id":"A-1042","note":"héllo"}""")]
    public void Valid_Arguments_HaveNoErrors(string instance) => Assert.Empty(Check(OrderSchema, instance));

    [Theory]
    [InlineData("""{}""", "$", "missing required property 'order_id'")]
    [InlineData("""{"order_id":1042}""", "$.order_id", "expected string, got number")]
    [InlineData("""{"order_id":"B-1"}""", "$.order_id", "must match the pattern")]
    [InlineData("""{"order_id":"A-1042","quantity":0}""", "$.quantity", "must be >= 1")]
    [InlineData("""{"order_id":"A-1042","quantity":11}""", "$.quantity", "must be <= 10")]
    [InlineData("""{"order_id":"A-1042","quantity":1.5}""", "$.quantity", "expected integer")]
    [InlineData("""{"order_id":"A-1042","express":"yes"}""", "$.express", "expected boolean, got string")]
    [InlineData("""{"order_id":"A-1042","channel":"fax"}""", "$.channel", "must be one of")]
    [InlineData("""{"order_id":"A-1042","items":["ab","x"]}""", "$.items[1]", "at least 2 characters")]
    [InlineData("""{"order_id":"A-1042","items":["ab","cd","ef","gh"]}""", "$.items", "at most 3 items")]
    [InlineData("""{"order_id":"A-1042","items":["ab","ab"]}""", "$.items", "unique")]
    [InlineData("""{"order_id":"A-1042","note":"too long"}""", "$.note", "at most 5 characters")]
    [InlineData("""{"order_id":"A-1042","coupon":"X"}""", "$.coupon", "not an allowed property")]
    [InlineData("""[]""", "$", "expected object, got array")]
    public void Invalid_Arguments_NameThePathAndTheProblem(string instance, string path, string message)
    {
        var error = Assert.Single(Check(OrderSchema, instance));
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxLength_CountsCodePointsNotUtf16Units()
    {
        // Two emoji are four UTF-16 units but two characters.
        Assert.Empty(Check("""{"type":"string","maxLength":2}""", "\"😀😀\""));
        Assert.Single(Check("""{"type":"string","maxLength":1}""", "\"😀😀\""));
    }

    [Fact]
    public void Combinators_AnyOfOneOfAllOfNot()
    {
        const string schema = """
            {
              "anyOf": [ { "type": "string" }, { "type": "integer" } ],
              "not": { "const": "forbidden" },
              "allOf": [ { "not": { "type": "boolean" } } ]
            }
            """;
        Assert.Empty(Check(schema, "\"fine\""));
        Assert.Empty(Check(schema, "3"));
        Assert.Contains(Check(schema, "1.5"), e => e.Message.Contains("anyOf", StringComparison.Ordinal));
        Assert.Contains(Check(schema, "\"forbidden\""), e => e.Message.Contains("(not)", StringComparison.Ordinal));

        const string exactlyOne = """{ "oneOf": [ { "type": "number" }, { "type": "integer" } ] }""";
        Assert.Empty(Check(exactlyOne, "1.5"));
        Assert.Contains("more than one", Assert.Single(Check(exactlyOne, "2")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalRefs_ResolveAndBrokenRefsAreReported()
    {
        const string schema = """
            {
              "$defs": { "sku": { "type": "string", "pattern": "^[A-Z]{3}$" } },
              "type": "object",
              "properties": { "sku": { "$ref": "#/$defs/sku" } }
            }
            """;
        Assert.Empty(Check(schema, """{"sku":"ABC"}"""));
        Assert.Equal("$.sku", Assert.Single(Check(schema, """{"sku":"abc"}""")).Path);
        Assert.Contains("does not resolve", Assert.Single(Check("""{"$ref":"#/$defs/missing"}""", "1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfReferencingSchema_StopsAtTheDepthLimitInsteadOfOverflowing()
    {
        var errors = Check("""{"$ref":"#"}""", "1");
        Assert.Contains(errors, e => e.Message.Contains("nests too deeply", StringComparison.Ordinal));
    }

    [Fact]
    public void CatastrophicPattern_IsCutOffNotHung()
    {
        var errors = Check("""{"type":"string","pattern":"^(a+)+$"}""", "\"" + new string('a', 40) + "!\"");
        Assert.Contains("cannot be evaluated", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BooleanSchemas_AndAnnotationsAreHonoured()
    {
        Assert.Empty(Check("true", """{"anything":1}"""));
        Assert.Single(Check("false", "1"));
        Assert.Empty(Check("""{"type":"string","format":"email","description":"not checked"}""", "\"not-an-email\""));
    }

    [Fact]
    public void ManyErrors_AreCappedAtTen()
    {
        var properties = string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"p{i}\":1"));
        Assert.Equal(10, Check("""{"type":"object","additionalProperties":false}""", "{" + properties + "}").Count);
    }
}
