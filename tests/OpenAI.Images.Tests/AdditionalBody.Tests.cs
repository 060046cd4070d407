using System;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenAI.Images.Tests;

/// <summary>
/// -AdditionalBody (issue 17): fields the module has no parameter for, merged last into the JSON body of a generation,
/// the text fields of a multipart edit or variation, and each batch line's body; asserted on the wire the fake recorded.
/// </summary>
public sealed class AdditionalBodyTests : EngineTest
{
    public AdditionalBodyTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void Generation_MergesLast_KeepsJsonTypes_ReplacesAndRemoves_AndTheValidatorIgnoresTheExtras()
    {
        // gpt-image-2 stops at quality high: sent through -AdditionalBody, xhigh is not the module's to refuse.
        ScriptResult r = Run("""
            $level = Write-Output 'high'
            New-OpenAIImage 'a red fox' -Model gpt-image-2 -Quality medium -User u-1 -Verbose -AdditionalBody ([ordered]@{
                complexity = $level
                quality    = 'xhigh'
                user       = $null
                seed       = 7
                big        = [long]9007199254740993
                ratio      = 1.5
                flag       = $true
                off        = $false
                tags       = @('a', 2, $null)
                meta       = [pscustomobject]@{ source = 'test'; depth = @{ n = 1 } }
            })
            """);

        Assert.True(!r.AllErrors.Any(), r.Describe());
        JsonObject json = Assert.Single(Fake.ApiRequests).Json!.AsObject();
        Assert.Equal(
            ["prompt", "model", "quality", "complexity", "seed", "big", "ratio", "flag", "off", "tags", "meta"],
            json.Select(p => p.Key).ToArray()); // replaced in place, removed, then the new ones in their order
        Assert.Equal("xhigh", (string?)json["quality"]);
        Assert.Equal("high", (string?)json["complexity"]);
        Assert.Equal("7", json["seed"]!.ToJsonString());
        Assert.Equal("9007199254740993", json["big"]!.ToJsonString());
        Assert.Equal("1.5", json["ratio"]!.ToJsonString());
        Assert.Equal("true", json["flag"]!.ToJsonString());
        Assert.Equal("false", json["off"]!.ToJsonString());
        Assert.Equal("""["a",2,null]""", json["tags"]!.ToJsonString());
        Assert.Equal("""{"source":"test","depth":{"n":1}}""", json["meta"]!.ToJsonString());
        Assert.Contains(r.Verbose, v => v == "-AdditionalBody replaces the field 'quality': \"medium\" -> \"xhigh\".");
        Assert.Contains(r.Verbose, v => v == "-AdditionalBody removes the field 'user' (\"u-1\") from the request.");
        Assert.Single(r.Images);
    }

    [Fact]
    public void Edit_SendsTextFields_NumbersAndBooleansAsTheirText_AndNullRemovesAField()
    {
        CopyAsset("sample-8x8.png", "in.png");
        ScriptResult r = Run("Edit-OpenAIImage 'add a hat' -Path in.png -InputFidelity high -Size 1024x1024 -AdditionalBody @{ complexity = 'low'; n = 3; stream = $false; input_fidelity = $null; size = '1536x1024' } -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("low", request.Field("complexity"));
        Assert.Equal("3", request.Field("n"));
        Assert.Equal("false", request.Field("stream"));
        Assert.Equal("1536x1024", request.Field("size"));
        Assert.Single(request.PartsNamed("size"));
        Assert.Empty(request.PartsNamed("input_fidelity"));
        Assert.Single(request.Files("image"));
        Assert.Contains(r.Verbose, v => v.StartsWith("-AdditionalBody replaces the field 'size': \"1024x1024\" -> \"1536x1024\"", StringComparison.Ordinal));
        Assert.Contains(r.Verbose, v => v.StartsWith("-AdditionalBody removes the field 'input_fidelity' (\"high\")", StringComparison.Ordinal));
        Assert.Equal(3, r.Images.Count); // the fake answers the n it was sent
    }

    [Fact]
    public void Variation_SendsTheExtrasAsTextFields()
    {
        CopyAsset("sample-8x8.png", "in.png");
        ScriptResult r = Run("New-OpenAIImageVariation in.png -AdditionalBody @{ size = '512x512'; strength = 0.25; user = 'u-9' }");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("/v1/images/variations", request.Path);
        Assert.Equal("512x512", request.Field("size"));
        Assert.Equal("0.25", request.Field("strength"));
        Assert.Equal("u-9", request.Field("user"));
        Assert.Equal("dall-e-2", request.Field("model"));
    }

    [Fact]
    public void BatchLines_GetTheExtras_OverridesAndRemovals_AndTheNotesComeOnce()
    {
        CopyAsset("sample-8x8.png", "in.png");
        ScriptResult r = Run("""
            $items = @(
                [pscustomobject]@{ Prompt = 'a fox' }
                [pscustomobject]@{ Prompt = 'an owl' }
                [pscustomobject]@{ Prompt = 'add a hat'; Path = 'in.png' }
            )
            $items | Start-OpenAIImageBatch -JobPath extras.imagebatch.json -Quality low -User u-1 -Verbose -AdditionalBody ([ordered]@{ complexity = 'low'; quality = 'max'; user = $null; tags = @('x', 'y'); opts = @{ a = 1 } })
            """);

        Assert.True(!r.AllErrors.Any(), r.Describe());
        var lines = Fake.ApiRequests.Where(q => q.Path.EndsWith("/files", StringComparison.Ordinal) && q.Field("purpose") == "batch")
            .SelectMany(q => Encoding.UTF8.GetString(q.Files("file").Single().Data).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(l => JsonNode.Parse(l)!["body"]!.AsObject())
            .ToList();
        Assert.Equal(3, lines.Count);
        foreach (JsonObject body in lines)
        {
            Assert.Equal("low", (string?)body["complexity"]);
            Assert.Equal("max", (string?)body["quality"]);
            Assert.False(body.ContainsKey("user"));
            Assert.Equal("""["x","y"]""", body["tags"]!.ToJsonString());
            Assert.Equal("""{"a":1}""", body["opts"]!.ToJsonString());
        }

        Assert.Single(lines, b => b.ContainsKey("images")); // the edit keeps its file ids
        Assert.Single(r.Verbose, v => v.StartsWith("-AdditionalBody replaces the field 'quality'", StringComparison.Ordinal));
        Assert.Single(r.Verbose, v => v.StartsWith("-AdditionalBody removes the field 'user'", StringComparison.Ordinal));
    }

    [Fact]
    public void BatchEditLine_AnImagesKeyReplacesTheModulesFileIds()
    {
        CopyAsset("sample-8x8.png", "in.png");
        ScriptResult r = Run("Start-OpenAIImageBatch 'add a hat' -Path in.png -JobPath e.imagebatch.json -AdditionalBody @{ images = @(@{ image_url = 'https://example.com/a.png' }) } -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        JsonObject body = Fake.ApiRequests.Where(q => q.Path.EndsWith("/files", StringComparison.Ordinal) && q.Field("purpose") == "batch")
            .Select(q => JsonNode.Parse(Encoding.UTF8.GetString(q.Files("file").Single().Data).Trim())!["body"]!.AsObject()).Single();
        Assert.Equal("""[{"image_url":"https://example.com/a.png"}]""", body["images"]!.ToJsonString());
        Assert.Contains(r.Verbose, v => v.StartsWith("-AdditionalBody replaces the field 'images': 1 file id(s) -> ", StringComparison.Ordinal));
    }

    [Fact]
    public void WhatIfVerboseAndDebug_ShowTheExtras_AndNeverTheKey()
    {
        ScriptResult whatIf = Run("New-OpenAIImage 'a fox' -AdditionalBody @{ complexity = 'high' } -WhatIf");
        Assert.True(!whatIf.AllErrors.Any(), whatIf.Describe());
        Assert.Empty(Fake.ApiRequests);

        // -Verbose shows ShouldProcess's action text, the one -WhatIf prints.
        ScriptResult r = Run("New-OpenAIImage 'a fox' -AdditionalBody @{ complexity = 'high'; user = $env:OPENAI_API_KEY } -Verbose -Debug");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Contains(r.Verbose, v => v.Contains("-AdditionalBody: ", StringComparison.Ordinal) && v.Contains("complexity=\"high\"", StringComparison.Ordinal));
        Assert.Contains(r.Debug, d => d.Contains("\"complexity\":\"high\"", StringComparison.Ordinal));
        Assert.DoesNotContain(TestKey, r.AllText());
        Assert.Equal(TestKey, (string?)Assert.Single(Fake.ApiRequests).Json!["user"]); // sent as asked, shown masked
    }

    [Theory]
    [InlineData("New-OpenAIImage 'x' -AdditionalBody @{ 1 = 'a' }", "AdditionalBodyKeyNotString", "1")]
    [InlineData("New-OpenAIImage 'x' -AdditionalBody @{ a = @{ 2 = 'b' } }", "AdditionalBodyKeyNotString", "2")]
    [InlineData("New-OpenAIImage 'x' -AdditionalBody @{ '' = 'a' }", "AdditionalBodyKeyEmpty", "")]
    [InlineData("New-OpenAIImage 'x' -AdditionalBody @{ when = [datetime]'2026-01-01' }", "AdditionalBodyValueType", "01/01/2026 00:00:00")]
    [InlineData("New-OpenAIImage 'x' -AdditionalBody @{ r = [double]::NaN }", "AdditionalBodyValueType", "NaN")]
    [InlineData("Edit-OpenAIImage 'x' -Path in.png -AdditionalBody @{ opts = @{ a = 1 } }", "AdditionalBodyNestedValue", "opts")]
    [InlineData("Edit-OpenAIImage 'x' -Path in.png -AdditionalBody @{ tags = @('a', 'b') }", "AdditionalBodyNestedValue", "tags")]
    [InlineData("Edit-OpenAIImage 'x' -Path in.png -AdditionalBody @{ image = 'other.png' }", "AdditionalBodyFilePart", "image")]
    [InlineData("Edit-OpenAIImage 'x' -Path in.png -AdditionalBody @{ 'image[]' = 'other.png' }", "AdditionalBodyFilePart", "image[]")]
    [InlineData("Edit-OpenAIImage 'x' -Path in.png -AdditionalBody @{ mask = $null }", "AdditionalBodyFilePart", "mask")]
    [InlineData("New-OpenAIImageVariation in.png -AdditionalBody @{ image = 'x' }", "AdditionalBodyFilePart", "image")]
    [InlineData("New-OpenAIImageVariation in.png -AdditionalBody @{ extra = @{ a = 1 } }", "AdditionalBodyNestedValue", "extra")]
    public void BadInput_IsAClearErrorBeforeAnythingIsSent(string script, string rule, string target)
    {
        CopyAsset("sample-8x8.png", "in.png");
        ScriptResult r = Run(script);

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.Validation." + rule, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(target, Convert.ToString(error.TargetObject, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("-AdditionalBody", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Fake.ApiRequests);
        Assert.Empty(r.Images);
    }

    [Fact]
    public void BadInputInABatch_StopsTheJobBeforeAnythingIsUploaded()
    {
        ScriptResult r = Run("'a', 'b' | Start-OpenAIImageBatch -JobPath bad.imagebatch.json -AdditionalBody @{ 3 = 'x' }");

        Assert.Equal(2, r.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("OpenAI.Validation.AdditionalBodyKeyNotString", StringComparison.Ordinal)));
        Assert.Contains(r.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("OpenAI.Batch.InvalidRequests", StringComparison.Ordinal));
        Assert.Empty(Fake.ApiRequests);
        Assert.DoesNotContain(FilesInTemp(), f => !f.Contains(".config", StringComparison.Ordinal));
    }
}
