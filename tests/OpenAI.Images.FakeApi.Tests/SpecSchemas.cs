using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace OpenAI.Images.FakeApi.Tests;

/// <summary>
/// The <c>required</c> lists of the response schemas in openai-images.yaml (OpenAI spec 2.3.0), copied here so the
/// wire-format tests run anywhere; <see cref="SpecSchemasTests"/> checks them against the YAML when it is present.
/// </summary>
internal static class SpecSchemas
{
    public static readonly IReadOnlyDictionary<string, string[]> Required = new Dictionary<string, string[]>
    {
        ["ImagesResponse"] = new[] { "created" },
        ["ImageGenUsage"] = new[] { "input_tokens", "total_tokens", "output_tokens", "input_tokens_details" },
        ["ImageGenInputUsageDetails"] = new[] { "text_tokens", "image_tokens" },
        ["ImageGenOutputTokensDetails"] = new[] { "image_tokens", "text_tokens" },
        ["ImagesUsage"] = new[] { "total_tokens", "input_tokens", "output_tokens", "input_tokens_details" },
        ["ImageGenPartialImageEvent"] = new[] { "type", "b64_json", "created_at", "size", "quality", "background", "output_format", "partial_image_index" },
        ["ImageGenCompletedEvent"] = new[] { "type", "b64_json", "created_at", "size", "quality", "background", "output_format", "usage" },
        ["ImageEditPartialImageEvent"] = new[] { "type", "b64_json", "created_at", "size", "quality", "background", "output_format", "partial_image_index" },
        ["ImageEditCompletedEvent"] = new[] { "type", "b64_json", "created_at", "size", "quality", "background", "output_format", "usage" },
    };

    /// <summary>The repository's openapi/openai-images.yaml (every clone carries it).</summary>
    public static string FindSpec() =>
        TestSupport.FindUp(Path.Combine("openapi", "openai-images.yaml"))
            ?? throw new FileNotFoundException("openapi/openai-images.yaml was not found above " + AppContext.BaseDirectory + ".");

    /// <summary>
    /// The top-level <c>required</c> list of <c>components.schemas.{name}</c>, read line by line (the file is
    /// machine-generated with a fixed 2-space layout: schemas at indent 4, their keys at 6, list items at 8).
    /// </summary>
    public static string[] ReadRequired(string[] lines, string schema)
    {
        int start = Array.FindIndex(lines, l => l == "    " + schema + ":");
        if (start < 0)
        {
            throw new InvalidOperationException($"Schema {schema} not found in the spec.");
        }

        var result = new List<string>();
        for (int i = start + 1; i < lines.Length && (lines[i].Length == 0 || lines[i].StartsWith("      ", StringComparison.Ordinal)); i++)
        {
            if (lines[i] != "      required:")
            {
                continue;
            }

            for (int j = i + 1; j < lines.Length && lines[j].StartsWith("        - ", StringComparison.Ordinal); j++)
            {
                result.Add(lines[j].Substring(10).Trim().Trim('"'));
            }

            break;
        }

        return result.ToArray();
    }
}

public class SpecSchemasTests
{
    [Fact]
    public void CopiedRequiredListsMatchTheSpec()
    {
        string spec = SpecSchemas.FindSpec();
        string[] lines = File.ReadAllLines(spec);
        foreach ((string schema, string[] required) in SpecSchemas.Required)
        {
            Assert.Equal(required.OrderBy(x => x, StringComparer.Ordinal), SpecSchemas.ReadRequired(lines, schema).OrderBy(x => x, StringComparer.Ordinal));
        }
    }
}
