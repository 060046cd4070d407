using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

public sealed class NewOpenAIImageTests : EngineTest
{
    public NewOpenAIImageTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void SendsTheExactJsonFieldsAndEmitsTypedResults()
    {
        ScriptResult r = Run("New-OpenAIImage -Prompt 'a red fox' -Size 1536x1024 -Quality high -Background opaque -OutputFormat webp -OutputCompression 80 -Moderation low -User u-1 -Count 2");

        Assert.True(r.AllErrors.Count() == 0, r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/images/generations", request.Path);
        Assert.Equal("Bearer " + TestKey, request.Header("Authorization"));
        Assert.StartsWith("application/json", request.ContentType);
        var json = request.Json!.AsObject();
        Assert.Equal(
            new[] { "prompt", "model", "n", "size", "quality", "background", "moderation", "output_format", "output_compression", "user" }.OrderBy(x => x),
            json.Select(p => p.Key).OrderBy(x => x));
        Assert.Equal("a red fox", (string?)json["prompt"]);
        Assert.Equal("gpt-image-2", (string?)json["model"]);
        Assert.Equal(2, (int)json["n"]!);
        Assert.Equal(80, (int)json["output_compression"]!);
        Assert.Equal("webp", (string?)json["output_format"]);

        List<dynamic> images = r.Images;
        Assert.Equal(2, images.Count);
        Assert.Equal(new[] { 0, 1 }, images.Select(i => (int)i.Index));
        byte[] webp = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.webp"));
        foreach (dynamic i in images)
        {
            Assert.Equal(webp, (byte[])i.Data);
            Assert.Null(i.File);
            Assert.Equal("gpt-image-2", (string)i.Model);
            Assert.Equal("a red fox", (string)i.Prompt);
            Assert.Equal("Generation", i.Operation.ToString());
            Assert.True((long)i.Usage.TotalTokens > 0);
            Assert.NotNull(i.Created);
            Assert.StartsWith("req_", (string)i.RequestId);
        }
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void PipelineOfPromptsMakesOneRequestEach()
    {
        ScriptResult r = Run("'one','two','three' | New-OpenAIImage");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        // The requests run concurrently (default -ThrottleLimit 4), so they may reach the server in any order; the
        // output keeps the input's.
        Assert.Equal(new[] { "one", "three", "two" }, Fake.ApiRequests.Select(q => (string?)q.Json!["prompt"]).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "one", "two", "three" }, r.Images.Select(i => (string)i.Prompt));
    }

    [Fact]
    public void OutFileWritesTheImageAtomicallyAndRefusesToOverwrite()
    {
        ScriptResult r = Run("New-OpenAIImage 'a cat' -OutFile cat.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        string path = Path.Combine(Temp, "cat.png");
        Assert.Equal(File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png")), File.ReadAllBytes(path));
        dynamic image = Assert.Single(r.Images);
        Assert.Equal(path, (string)image.File.FullName);
        Assert.Null(image.Data);
        Assert.Equal(new[] { path }, FilesInTemp());

        File.WriteAllText(path, "precious");
        Fake.ClearRequests();
        ScriptResult again = Run("New-OpenAIImage 'a cat' -OutFile cat.png");
        var error = Assert.Single(again.AllErrors);
        Assert.StartsWith("OpenAI.FileExists", error.FullyQualifiedErrorId);
        Assert.Empty(Fake.ApiRequests);
        Assert.Equal("precious", File.ReadAllText(path));

        ScriptResult forced = Run("New-OpenAIImage 'a cat' -OutFile cat.png -Force");
        Assert.True(!forced.AllErrors.Any(), forced.Describe());
        Assert.Equal(File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png")), File.ReadAllBytes(path));
    }

    [Fact]
    public void WhatIfSendsNothing()
    {
        ScriptResult r = Run("New-OpenAIImage 'a cat' -OutFile cat.png -WhatIf");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Empty(Fake.ApiRequests);
        Assert.Empty(r.Output);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void MissingKeyIsATerminatingErrorThatSaysWhatToDo()
    {
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", null);
        ScriptResult r = Run("New-OpenAIImage 'a cat'");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.MissingApiKey,OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("OPENAI_API_KEY", error.Exception.Message);
        Assert.Contains("Set-OpenAIConfig", error.Exception.Message);
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public void PartialImagesStreamInOrderAndAreSavedBesideTheFinalImage()
    {
        ScriptResult r = Run("New-OpenAIImage 'stream me' -PartialImages 2 -OutFile s.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.True((bool)request.Json!["stream"]!);
        Assert.Equal(2, (int)request.Json!["partial_images"]!);
        Assert.Equal("text/event-stream", request.Header("Accept"));
        List<dynamic> images = r.Images;
        Assert.Equal(new[] { true, true, false }, images.Select(i => (bool)i.IsPartial));
        Assert.Equal(new int?[] { 0, 1, null }, images.Select(i => (int?)i.PartialImageIndex));
        Assert.Equal(
            new[] { "s-partial0.png", "s-partial1.png", "s.png" },
            images.Select(i => Path.GetFileName((string)i.File.FullName)));
        Assert.Equal(new[] { "s-partial0.png", "s-partial1.png", "s.png" }, FilesInTemp().Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        Assert.True((long)images[2].Usage.TotalTokens > 0);
    }

    [Fact]
    public void ReportsProgressWhileWaitingAndClosesIt()
    {
        // The request is held until the cmdlet has shown that it is waiting (its progress ticks about once a second).
        var waiting = new System.Text.RegularExpressions.Regex(@"^waiting for OpenAI \([1-9]\d* s\)$");
        Fake.Enqueue(FakeResponse.Hold());
        using RunningScript run = Start("New-OpenAIImage 'slow one'");
        run.Until(() => run.Progress.Any(p => p.ParentActivityId != -1 && waiting.IsMatch(p.StatusDescription)), "a 'waiting for OpenAI (N s)' progress record");
        Fake.Release();
        ScriptResult r = run.Finish();
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Single(r.Images);
        // The request is a child activity of the call's parent activity (named after the cmdlet).
        var parent = r.Progress.Where(p => p.Activity == "New-OpenAIImage").ToList();
        var records = r.Progress.Where(p => p.ParentActivityId == parent[0].ActivityId).ToList();
        Assert.All(parent, p => Assert.Equal(-1, p.ParentActivityId));
        Assert.StartsWith("1 of 1 done · 0 running · ", parent[^2].StatusDescription, StringComparison.Ordinal);
        Assert.Contains(records, p => p.StatusDescription.Contains("sending"));
        Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, records.Last().RecordType);
        Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, parent.Last().RecordType);
        Assert.All(records, p => Assert.Equal("'slow one'", p.Activity));
    }

    [Fact]
    public void ValidationErrorsReadAsOneCleanSentenceNamingParameterValueAndRule()
    {
        ScriptResult r = Run("New-OpenAIImage 'x' -Model dall-e-3 -Size 1536x1024");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.Validation.SizeNotSupported,OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand", error.FullyQualifiedErrorId);
        Assert.Equal("1536x1024", error.TargetObject);
        Assert.Equal("-Size '1536x1024' is not supported by dall-e-3; use one of 1024x1024, 1792x1024, 1024x1792.", error.ToString());
        Assert.Equal("Size", ((System.ArgumentException)error.Exception).ParamName);
        Assert.Empty(Fake.ApiRequests);
    }
}
