using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// The cmdlet matrix: real invocations of New-OpenAIImage, Edit-OpenAIImage, New-OpenAIImageVariation and
/// Save-OpenAIImage in the hosted engine, pointed at Prism, covering every parameter of every cmdlet with each kind of
/// value (each model with each of its sizes and qualities, every enum value, both ends of every range of a body
/// field, files, connection and output parameters). Each request must be accepted: Prism's validator passed it and
/// the cmdlet emitted its images with no error. <see cref="TheMatrix_CoversEveryParameterAndValue"/> reads the cmdlets'
/// parameters, [ValidateSet] and [ValidateRange] attributes and the module's model table from the loaded module and
/// fails when a parameter, value, model, size or quality is missing from the matrix.
///
/// Streaming: the module sends <c>Accept: text/event-stream</c>, for which Prism has no serialiser: it validates the
/// request, logs "passed the validation rules", then answers 500 NO_COMPLEX_OBJECT_TEXT (an invalid body gets 422
/// first, see <see cref="PrismMutationTests"/>). Streaming rows therefore expect exactly that 500 per request (run
/// with -MaxRetries 0) and a passed verdict in Prism's log; the event stream itself is covered with the loopback fake
/// (<see cref="FakeWireConformanceTests"/>).
///
/// Several images in one edit: the module sends <c>image[]</c> parts, which Prism ignores; see
/// <see cref="MultiImageEdit_PrismSeesOnlyTheMissingImageField"/> and the fake's multi-image tests.
/// </summary>
public sealed class PrismCmdletMatrixTests(PrismFixture prism) : PrismEngineTest(prism)
{
    private const string Prompt = "'A cute baby sea otter'";
    private const string Png = "\"$Assets/sample-8x8.png\"";
    private const string Mask = "\"$Assets/sample-8x8-rgba.png\"";
    private const string Generations = "/images/generations";
    private const string Edits = "/images/edits";
    private const string Variations = "/images/variations";

    private static readonly string[] GptQualities = ["low", "medium", "high", "auto"];

    // xhigh and max: openapi/openai-images.yaml widens the quality enums for them (OpenAI's images reference; see openapi/README.md).
    private static readonly string[] TopQualities = ["low", "medium", "high", "xhigh", "max", "auto"];
    private static readonly string[] NewerModels = ["gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"];
    private static readonly string[] GptSizes = ["1024x1024", "1536x1024", "1024x1536", "auto"];
    private static readonly string[] GptImage2Sizes = [.. GptSizes, "2048x2048", "2048x1152", "1152x2048", "3840x2160", "2160x3840", "1536x864", "3840x1280"];

    /// <summary>One row of the matrix.</summary>
    /// <param name="Name">Shown in the test name.</param>
    /// <param name="Script">PowerShell; $Assets, $Temp and $PrismBase are set.</param>
    /// <param name="Requests">API requests Prism must see (each passing validation).</param>
    /// <param name="Path">The route they go to.</param>
    /// <param name="Streaming">Each request streams: expect Prism's 500 NO_COMPLEX_OBJECT_TEXT after a passed verdict.</param>
    /// <param name="Images">ImageResult objects expected in the output (default: one per request, Prism returns one data item).</param>
    /// <param name="Check">More assertions (files written...), given the run and the test folder.</param>
    public sealed record MatrixCase(string Name, string Script, int Requests, string Path, bool Streaming = false, int? Images = null, Action<PrismRun, string>? Check = null);

    public static readonly IReadOnlyList<MatrixCase> Cases = BuildCases();

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void CmdletRequests_AreAcceptedByPrism(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var run = RunAgainstPrism(c.Script);
        var r = run.Result;
        var why = $"{c.Name}{Environment.NewLine}{c.Script}{Environment.NewLine}{run.Describe()}";

        Assert.True(run.Exchanges.Count == c.Requests, $"expected {c.Requests} request(s) at Prism. {why}");
        foreach (var e in run.Exchanges)
        {
            Assert.True(e.Method == "post" && e.Path == c.Path, $"request went to {e.Method} {e.Path}, not POST {c.Path}. {why}");
            Assert.True(e.Passed && !e.Failed && e.Violations.Count == 0, $"Prism's validator did not pass a request. {why}");
        }

        if (c.Streaming)
        {
            Assert.True(r.Terminating is null, why);
            Assert.True(r.Errors.Count == c.Requests, $"expected one error per streamed request (Prism cannot answer text/event-stream). {why}");
            foreach (var error in r.Errors)
            {
                dynamic ex = error.Exception;
                Assert.True((int?)ex.StatusCode == 500 && ((string)ex.Message).Contains("NO_COMPLEX_OBJECT_TEXT", StringComparison.Ordinal), $"not Prism's 'cannot serialise' 500: {error}. {why}");
            }

            Assert.True(run.Exchanges.All(e => e.TerminatedWith?.Contains("NO_COMPLEX_OBJECT_TEXT", StringComparison.Ordinal) == true), why);
            Assert.Empty(r.Images);
        }
        else
        {
            Assert.True(!r.AllErrors.Any(), why);
            Assert.True(run.Exchanges.All(e => e.TerminatedWith is null && e.RespondingWith == "200"), why);
            var images = r.Images;
            Assert.True(images.Count == (c.Images ?? c.Requests), $"expected {c.Images ?? c.Requests} image(s), got {images.Count}. {why}");
            foreach (var image in images)
            {
                byte[] bytes = image.Data ?? File.ReadAllBytes((string)image.File.FullName);
                Assert.True(bytes.AsSpan().StartsWith(PngSignature), "Prism's example PNG was not decoded. " + why);
            }
        }

        c.Check?.Invoke(run, Temp);
    }

    /// <summary>
    /// Prism cannot judge several images: the module sends them as <c>image[]</c> parts (the form of OpenAI's SDKs),
    /// which Prism does not see. The only violation must be the missing <c>image</c>, so every other field of the
    /// module's multi-image request (mask, prompt, enums, numbers) did pass. The parts themselves are asserted
    /// against the loopback fake (<see cref="FakeWireConformanceTests"/>).
    /// </summary>
    [Fact]
    public void MultiImageEdit_PrismSeesOnlyTheMissingImageField()
    {
        var run = RunAgainstPrism(
            $"Edit-OpenAIImage -Prompt {Prompt} -Path {Png},\"$Assets/sample-8x8.jpg\",\"$Assets/sample-8x8.webp\" -Mask {Mask} -Model gpt-image-1.5 -Quality high "
            + "-Background opaque -OutputFormat jpeg -OutputCompression 50 -InputFidelity high -Count 2 -Size 1536x1024 -User user-1234 -MaxRetries 0");
        var exchange = Assert.Single(run.Exchanges);
        Assert.True(exchange.Failed, run.Describe());
        Assert.Equal(["Request body must have required property 'image'"], exchange.Violations);
        var error = Assert.Single(run.Result.AllErrors);
        Assert.StartsWith("OpenAI.InvalidRequest", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(422, (int?)((dynamic)error.Exception).StatusCode);
    }

    /// <summary>
    /// -AdditionalBody is not checked by the module, and goes on the wire as given: Prism, which validates the body the
    /// module really sent, refuses an n of 11 in a JSON body and a generation-only quality in a multipart edit.
    /// </summary>
    [Theory]
    [InlineData("New-OpenAIImage 'A cute baby sea otter' -AdditionalBody @{ n = 11 } -MaxRetries 0", Generations, "n")]
    [InlineData("Edit-OpenAIImage 'Add a beret' -Path \"$Assets/sample-8x8.png\" -AdditionalBody @{ quality = 'hd' } -MaxRetries 0", Edits, "quality")]
    public void AdditionalBody_IsSentAsGiven_AndPrismJudgesIt(string script, string path, string field)
    {
        var run = RunAgainstPrism(script);
        var exchange = Assert.Single(run.Exchanges);
        Assert.Equal(path, exchange.Path);
        Assert.True(exchange.Failed, run.Describe());
        Assert.Contains(exchange.Violations, v => v.Contains(field, StringComparison.Ordinal));
        var error = Assert.Single(run.Result.AllErrors);
        Assert.StartsWith("OpenAI.InvalidRequest", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(422, (int?)((dynamic)error.Exception).StatusCode);
    }

    /// <summary>Every parameter, enum value, range end, model and per-model size/quality of the cmdlets appears in the matrix.</summary>
    [Fact]
    public void TheMatrix_CoversEveryParameterAndValue()
    {
        var used = UsedParameters(Cases.Select(c => c.Script));
        using var ps = ModuleHost.Create();
        var missing = new List<string>();
        var catalog = ModuleTypes.Core(ps).GetType("OpenAI.Images.Validation.ModelCatalog", throwOnError: true)!;

        foreach (var cmdlet in new[] { "New-OpenAIImage", "Edit-OpenAIImage", "New-OpenAIImageVariation", "Save-OpenAIImage" })
        {
            var info = (CmdletInfo)ModuleHost.Run(ps, $"Get-Command {cmdlet}").Output.Single().BaseObject;
            var calls = used.Where(u => u.Cmdlet == cmdlet).ToList();
            Assert.True(calls.Count > 0, $"no row runs {cmdlet}");
            foreach (var (name, meta) in info.Parameters)
            {
                if (Cmdlet.CommonParameters.Contains(name) || Cmdlet.OptionalCommonParameters.Contains(name) || NotInMatrix.ContainsKey(name))
                {
                    continue;
                }

                var values = calls.SelectMany(c => c.Parameters.Where(p => Is(meta, p.Name)).Select(p => p.Value)).ToList();
                if (values.Count == 0)
                {
                    missing.Add($"{cmdlet} -{name}: never used");
                    continue;
                }

                foreach (var set in meta.Attributes.OfType<ValidateSetAttribute>())
                {
                    missing.AddRange(set.ValidValues.Where(v => !values.Contains(v, StringComparer.OrdinalIgnoreCase)).Select(v => $"{cmdlet} -{name} {v}"));
                }

                // Values OpenAI grows have no [ValidateSet] but a completer: every value it offers without a model must be sent.
                if (meta.Attributes.OfType<ArgumentCompleterAttribute>().Any(a => a.Type?.Name == "ModelValueCompleter"))
                {
                    var op = Enum.Parse(catalog.Assembly.GetType("OpenAI.Images.ImageOperation", throwOnError: true)!, cmdlet == "Edit-OpenAIImage" ? "Edit" : "Generation");
                    var known = (IEnumerable<string>)catalog.GetMethod("ValuesFor")!.Invoke(null, [name, null, op])!;
                    missing.AddRange(known.Where(v => !values.Contains(v, StringComparer.OrdinalIgnoreCase)).Select(v => $"{cmdlet} -{name} {v} (offered by completion)"));
                }

                foreach (var range in meta.Attributes.OfType<ValidateRangeAttribute>().Where(_ => BodyParameters.Contains(name)))
                {
                    foreach (var end in new[] { range.MinRange, range.MaxRange })
                    {
                        if (!values.Contains(Convert.ToString(end, System.Globalization.CultureInfo.InvariantCulture) ?? "?"))
                        {
                            missing.Add($"{cmdlet} -{name} {end} (end of [ValidateRange])");
                        }
                    }
                }
            }

            var operation = cmdlet switch { "New-OpenAIImage" => "Generation", "Edit-OpenAIImage" => "Edit", "New-OpenAIImageVariation" => "Variation", _ => null };
            if (operation is null)
            {
                continue;
            }

            var models = (IEnumerable<string>)catalog.GetField(operation + "Models")!.GetValue(null)!;
            foreach (var model in models)
            {
                var withModel = calls.Where(c => c.Value("Model") == model).ToList();
                if (withModel.Count == 0)
                {
                    missing.Add($"{cmdlet} -Model {model}");
                    continue;
                }

                // A dated snapshot (ID-YYYY-MM-DD) shares its row's rules: one request is enough, unless the row is itself a spec model name.
                dynamic row = catalog.GetMethod("Find")!.Invoke(null, [model])!;
                if ((string)row.Id != model && model != "gpt-image-2-2026-04-21")
                {
                    continue;
                }

                var operationValue = Enum.Parse(catalog.Assembly.GetType("OpenAI.Images.ImageOperation", throwOnError: true)!, operation);
                var sizes = (IEnumerable<string>)catalog.GetMethod("SizesFor")!.Invoke(null, [model, operationValue])!;
                missing.AddRange(sizes.Where(s => !withModel.Any(c => c.Value("Size") == s)).Select(s => $"{cmdlet} -Model {model} -Size {s}"));
                if (operation == "Variation")
                {
                    continue;
                }

                dynamic caps = catalog.GetMethod("Find")!.Invoke(null, [model])!;
                var qualities = (IEnumerable<string>)(operation == "Edit" ? caps.EditQualities : caps.GenerationQualities);
                missing.AddRange(qualities.Where(q => !withModel.Any(c => c.Value("Quality") == q)).Select(q => $"{cmdlet} -Model {model} -Quality {q}"));
            }
        }

        Assert.True(missing.Count == 0, "Not covered by the Prism matrix (add rows to PrismCmdletMatrixTests):" + Environment.NewLine + string.Join(Environment.NewLine, missing));
    }

    /// <summary>Parameters left out of the matrix on purpose, and why.</summary>
    private static readonly Dictionary<string, string> NotInMatrix = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Profile"] = "selects saved settings (key, endpoint); the configuration tests cover it, and here the environment variables stand in for it",
    };

    /// <summary>Parameters whose values go into the request body: both ends of their [ValidateRange] must be sent.</summary>
    private static readonly HashSet<string> BodyParameters = new(StringComparer.OrdinalIgnoreCase) { "Count", "OutputCompression", "PartialImages" };

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static bool Is(ParameterMetadata meta, string given) =>
        string.Equals(meta.Name, given, StringComparison.OrdinalIgnoreCase) || meta.Aliases.Contains(given, StringComparer.OrdinalIgnoreCase);

    /// <summary>One cmdlet call in a matrix script, with its named parameters and their literal values (switches: "").</summary>
    private sealed record Call(string Cmdlet, List<(string Name, string Value)> Parameters)
    {
        public string? Value(string name) => Parameters.Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).FirstOrDefault();
    }

    private static List<Call> UsedParameters(IEnumerable<string> scripts)
    {
        var calls = new List<Call>();
        foreach (var script in scripts)
        {
            var ast = Parser.ParseInput(script, out _, out var errors);
            Assert.True(errors.Length == 0, $"matrix script does not parse: {string.Join("; ", errors.Select(e => e.Message))}{Environment.NewLine}{script}");
            foreach (CommandAst command in ast.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true).Cast<CommandAst>())
            {
                var name = command.GetCommandName();
                if (name is null || !name.Contains("OpenAIImage", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var parameters = new List<(string, string)>();
                var elements = command.CommandElements;
                for (int i = 1; i < elements.Count; i++)
                {
                    if (elements[i] is not CommandParameterAst p)
                    {
                        continue;
                    }

                    var argument = p.Argument ?? (i + 1 < elements.Count && elements[i + 1] is not CommandParameterAst ? elements[i + 1] : null);
                    var value = argument switch
                    {
                        null => string.Empty,
                        StringConstantExpressionAst s => s.Value,
                        ConstantExpressionAst k => Convert.ToString(k.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                        _ => argument.Extent.Text,
                    };
                    parameters.Add((p.ParameterName, value));
                }

                calls.Add(new Call(name, parameters));
            }
        }

        return calls;
    }

    private static string Lines(string command, IEnumerable<string> variations) => string.Join("\n", variations.Select(v => command + " " + v));

    /// <summary>-Size s -Quality q for each size, cycling through the qualities (and the other way round if there are more qualities).</summary>
    private static string[] SizesWithQualities(string[] sizes, string[] qualities) =>
        Enumerable.Range(0, Math.Max(sizes.Length, qualities.Length)).Select(i => $"-Size {sizes[i % sizes.Length]} -Quality {qualities[i % qualities.Length]}").ToArray();

    private static IReadOnlyList<MatrixCase> BuildCases()
    {
        var cases = new List<MatrixCase>();

        // ---------- New-OpenAIImage → POST /images/generations ----------
        cases.Add(new("New: default model (gpt-image-2), positional prompt", $"New-OpenAIImage {Prompt}", 1, Generations));
        foreach (var model in new[] { "gpt-image-2", "gpt-image-2-2026-04-21" })
        {
            var rows = SizesWithQualities(GptImage2Sizes, GptQualities);
            cases.Add(new($"New: {model}, every standard and custom size, every quality", Lines($"New-OpenAIImage -Prompt {Prompt} -Model {model}", rows), rows.Length, Generations));
        }

        foreach (var model in NewerModels)
        {
            var rows = SizesWithQualities(GptImage2Sizes, TopQualities);
            cases.Add(new($"New: {model}, every standard and custom size, every quality (xhigh, max)", Lines($"New-OpenAIImage -Prompt {Prompt} -Model {model}", rows), rows.Length, Generations));
        }

        cases.Add(new(
            "New: dated snapshots of the 2.5 models, gpt-image-1.5's snapshot",
            Lines($"New-OpenAIImage -Prompt {Prompt}", [
                "-Model gpt-image-2.5-sunburst-2026-09-08 -Quality xhigh -Size 3840x2160",
                "-Model gpt-image-2.5-flare-2026-09-08 -Quality max -Background transparent -OutputFormat webp",
                "-Model gpt-image-1.5-2025-12-16 -Quality high",
            ]),
            3,
            Generations));

        foreach (var model in new[] { "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest" })
        {
            var rows = SizesWithQualities(GptSizes, GptQualities);
            cases.Add(new($"New: {model}, every size and quality", Lines($"New-OpenAIImage -Prompt {Prompt} -Model {model}", rows), rows.Length, Generations));
        }

        cases.Add(new(
            "New: dall-e-3, every size, quality, style and response format",
            Lines($"New-OpenAIImage -Prompt {Prompt} -Model dall-e-3", [
                "-Size 1024x1024 -Quality standard -Style vivid -ResponseFormat url -Count 1",
                "-Size 1792x1024 -Quality hd -Style natural -ResponseFormat b64_json",
                "-Size 1024x1792 -Quality auto -Style vivid -ResponseFormat url -User user-1234",
            ]),
            3,
            Generations));
        cases.Add(new(
            "New: dall-e-2, every size, quality and response format",
            Lines($"New-OpenAIImage -Prompt {Prompt} -Model dall-e-2", [
                "-Size 256x256 -Quality standard -ResponseFormat url",
                "-Size 512x512 -Quality auto -ResponseFormat b64_json -Count 10",
                "-Size 1024x1024 -ResponseFormat url -User user-1234",
            ]),
            3,
            Generations));
        cases.Add(new(
            "New: GPT background, output format, compression and moderation values",
            Lines($"New-OpenAIImage -Prompt {Prompt} -Model gpt-image-1.5", [
                "-Background transparent -OutputFormat png",
                "-Background opaque -OutputFormat jpeg -OutputCompression 0",
                "-Background auto -OutputFormat webp -OutputCompression 100",
                "-Moderation low",
                "-Moderation auto -Background transparent -OutputFormat webp",
            ]),
            5,
            Generations));
        cases.Add(new(
            "New: every field at once",
            $"New-OpenAIImage -Prompt {Prompt} -Model gpt-image-2-2026-04-21 -Size 1536x864 -Quality high -Background transparent -Moderation low -OutputFormat webp -OutputCompression 80 -Count 10 -User user-1234",
            1,
            Generations));
        cases.Add(new("New: count 1 and 10 (alias -N)", $"New-OpenAIImage -Prompt {Prompt} -Count 1\nNew-OpenAIImage -Prompt {Prompt} -N 10", 2, Generations));
        cases.Add(new(
            "New: -Stream and -PartialImages 0 to 3",
            Lines($"New-OpenAIImage -Prompt {Prompt} -MaxRetries 0", [
                "-Stream",
                "-Model gpt-image-1 -PartialImages 0",
                "-Model gpt-image-1.5 -PartialImages 1",
                "-Model gpt-image-1-mini -Stream -PartialImages 2",
                "-Model gpt-image-2 -Stream -PartialImages 3 -Size 2048x1152 -Quality medium -Background opaque -Moderation low -OutputFormat jpeg -OutputCompression 70 -Count 2 -User user-1234",
            ]),
            5,
            Generations,
            Streaming: true));
        cases.Add(new(
            "New: -ApiKey and -BaseUri instead of the environment, -TimeoutSec, -MaxRetries",
            "$env:OPENAI_API_KEY = $null\n$env:OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'\n"
            + $"New-OpenAIImage -Prompt {Prompt} -ApiKey 'sk-explicit-key' -BaseUri $PrismBase -TimeoutSec 86400 -MaxRetries 20",
            1,
            Generations));
        cases.Add(new(
            "New: -OutFile, -Force, -OutputDirectory",
            $"New-OpenAIImage {Prompt} -OutFile otter.png\nNew-OpenAIImage {Prompt} -OutFile otter.png -Force\nNew-OpenAIImage {Prompt} -Model dall-e-2 -ResponseFormat url -OutputDirectory out",
            3,
            Generations,
            Check: (run, temp) =>
            {
                Assert.True(File.Exists(Path.Combine(temp, "otter.png")), run.Describe());
                Assert.Single(Directory.GetFiles(Path.Combine(temp, "out")));
                Assert.All(run.Result.Images, i => Assert.NotNull(i.File));
            }));
        cases.Add(new(
            "New: -AdditionalBody replaces, removes and adds fields (JSON types kept)",
            $"New-OpenAIImage -Prompt {Prompt} -Model gpt-image-2 -Quality low -User user-1234 -AdditionalBody ([ordered]@{{ quality = 'high'; user = $null; n = 2; output_compression = 90; output_format = 'webp'; complexity = 'high' }})",
            1,
            Generations));
        cases.Add(new("New: pipeline of prompts with -ThrottleLimit, -Unordered", "'one','two','three' | New-OpenAIImage -ThrottleLimit 16\n'four','five' | New-OpenAIImage -Unordered", 5, Generations));

        // ---------- Edit-OpenAIImage → POST /images/edits (multipart) ----------
        cases.Add(new("Edit: default model (gpt-image-2), positional prompt and path", $"Edit-OpenAIImage 'Add a beret' {Png}", 1, Edits));
        foreach (var model in new[] { "gpt-image-2", "gpt-image-2-2026-04-21" })
        {
            var rows = SizesWithQualities(GptImage2Sizes, GptQualities);
            cases.Add(new($"Edit: {model}, every standard and custom size, every quality", Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -Model {model}", rows), rows.Length, Edits));
        }

        foreach (var model in NewerModels)
        {
            var rows = SizesWithQualities(GptImage2Sizes, TopQualities);
            cases.Add(new($"Edit: {model}, every standard and custom size, every quality (xhigh, max)", Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -Model {model}", rows), rows.Length, Edits));
        }

        cases.Add(new(
            "Edit: dated snapshots of the 2.5 models, gpt-image-1.5's snapshot",
            Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png}", [
                $"-Model gpt-image-2.5-sunburst-2026-09-08 -Quality max -Mask {Mask}",
                "-Model gpt-image-2.5-flare-2026-09-08 -Quality xhigh -Size 2048x1152",
                "-Model gpt-image-1.5-2025-12-16 -Quality low",
            ]),
            3,
            Edits));

        foreach (var model in new[] { "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest" })
        {
            var rows = SizesWithQualities(GptSizes, GptQualities);
            cases.Add(new($"Edit: {model}, every size and quality", Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -Model {model}", rows), rows.Length, Edits));
        }

        cases.Add(new(
            "Edit: dall-e-2, every size, quality and response format, with a mask",
            // Without -Mask, dall-e-2 edits the image's transparent area: an image with one (the mask asset).
            Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Mask} -Model dall-e-2", [
                "-Size 256x256 -Quality standard -ResponseFormat url",
                $"-Size 512x512 -Quality auto -ResponseFormat b64_json -Mask {Mask} -Count 10",
                "-Size 1024x1024 -ResponseFormat url -User user-1234",
            ]),
            3,
            Edits));
        cases.Add(new(
            "Edit: GPT background, output format, compression and input fidelity values",
            Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png}", [
                "-Model gpt-image-1.5 -Background transparent -OutputFormat png",
                "-Model gpt-image-1.5 -Background opaque -OutputFormat jpeg -OutputCompression 0",
                "-Model gpt-image-1.5 -Background auto -OutputFormat webp -OutputCompression 100",
                "-Model gpt-image-1.5 -InputFidelity high",
                "-Model gpt-image-1 -InputFidelity low",
            ]),
            5,
            Edits));
        cases.Add(new(
            "Edit: every field at once, with a mask",
            $"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -Mask {Mask} -Model gpt-image-2-2026-04-21 -Size 2048x1152 -Quality high -Background transparent "
            + "-OutputFormat webp -OutputCompression 80 -InputFidelity high -Count 10 -User user-1234",
            1,
            Edits));
        cases.Add(new(
            "Edit: masks with every GPT model family",
            Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -Mask {Mask}", ["-Model gpt-image-2", "-Model gpt-image-1", "-Model chatgpt-image-latest"]),
            3,
            Edits));
        cases.Add(new(
            "Edit: JPEG, WebP and palette PNG inputs (content types from the file signature)",
            Lines("Edit-OpenAIImage -Prompt 'Add a beret' -Model gpt-image-1 -Path", [
                "\"$Assets/sample-8x8.jpg\"",
                "\"$Assets/sample-8x8-progressive.jpg\"",
                "\"$Assets/sample-8x8.webp\"",
                "\"$Assets/sample-8x8-lossless-alpha.webp\"",
                "\"$Assets/sample-8x8-vp8x-alpha.webp\"",
                "\"$Assets/sample-8x8-palette-trns.png\"",
            ]),
            6,
            Edits));
        cases.Add(new(
            "Edit: -LiteralPath with brackets, spaces and a non-ASCII file name",
            "[IO.File]::Copy(\"$Assets/sample-8x8.png\", \"$Temp/otter [1].png\")\n[IO.File]::Copy(\"$Assets/sample-8x8.png\", \"$Temp/фото выдры.png\")\n"
            + "Edit-OpenAIImage -Prompt 'Add a beret' -LiteralPath 'otter [1].png'\nEdit-OpenAIImage -Prompt 'Add a beret' -LP 'фото выдры.png'",
            2,
            Edits));
        cases.Add(new(
            "Edit: -Stream and -PartialImages 0 to 3",
            Lines($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -MaxRetries 0", [
                "-Stream",
                "-Model gpt-image-1 -PartialImages 0",
                "-Model gpt-image-1.5 -PartialImages 1",
                "-Model chatgpt-image-latest -Stream -PartialImages 2",
                $"-Model gpt-image-2 -Stream -PartialImages 3 -Mask {Mask} -Size 1536x1024 -Quality low -Background opaque -OutputFormat webp -OutputCompression 10 -InputFidelity low -Count 3 -User user-1234",
            ]),
            5,
            Edits,
            Streaming: true));
        cases.Add(new(
            "Edit: -AdditionalBody as multipart text fields: replaced, removed, added",
            $"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -Quality low -InputFidelity high -AdditionalBody @{{ quality = 'medium'; input_fidelity = $null; n = 2; output_compression = 50; output_format = 'jpeg'; complexity = 'low' }}",
            1,
            Edits));
        cases.Add(new("Edit: count 1 and 10 (alias -N)", $"Edit-OpenAIImage 'Add a beret' {Png} -Count 1\nEdit-OpenAIImage 'Add a beret' {Png} -N 10", 2, Edits));
        cases.Add(new(
            "Edit: files piped by property name, -OutputDirectory, -ThrottleLimit, -Unordered, -OutFile, -Force",
            "[IO.FileInfo]::new(\"$Assets/sample-8x8.png\"), [IO.FileInfo]::new(\"$Assets/sample-8x8.jpg\") | Edit-OpenAIImage -Prompt 'Add a beret' -OutputDirectory out -ThrottleLimit 2 -Unordered\n"
            + $"Edit-OpenAIImage 'Add a beret' {Png} -OutFile edited.png\nEdit-OpenAIImage 'Add a beret' {Png} -OutFile edited.png -Force",
            4,
            Edits,
            Check: (run, temp) =>
            {
                Assert.Equal(2, Directory.GetFiles(Path.Combine(temp, "out")).Length);
                Assert.True(File.Exists(Path.Combine(temp, "edited.png")), run.Describe());
            }));
        cases.Add(new(
            "Edit: -ApiKey and -BaseUri instead of the environment, -TimeoutSec, -MaxRetries",
            "$env:OPENAI_API_KEY = $null\n$env:OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'\n"
            + $"Edit-OpenAIImage -Prompt 'Add a beret' -Path {Png} -ApiKey 'sk-explicit-key' -BaseUri $PrismBase -TimeoutSec 86400 -MaxRetries 20",
            1,
            Edits));

        // ---------- New-OpenAIImageVariation → POST /images/variations (multipart) ----------
        cases.Add(new("Variation: default model (dall-e-2), positional path", $"New-OpenAIImageVariation {Png}", 1, Variations));
        cases.Add(new(
            "Variation: dall-e-2, every size and response format, count 1 and 10",
            Lines($"New-OpenAIImageVariation -Path {Png} -Model dall-e-2", [
                "-Size 256x256 -ResponseFormat url -Count 1",
                "-Size 512x512 -ResponseFormat b64_json -N 10",
                "-Size 1024x1024 -ResponseFormat url -User user-1234",
            ]),
            3,
            Variations));
        cases.Add(new(
            "Variation: -LiteralPath with two files (a request each), -ThrottleLimit, -Unordered, -OutputDirectory, -OutFile, -Force",
            "[IO.File]::Copy(\"$Assets/sample-8x8.png\", \"$Temp/a [1].png\")\n"
            + "New-OpenAIImageVariation -LiteralPath 'a [1].png', \"$Assets/sample-8x8-palette-trns.png\" -ThrottleLimit 2 -Unordered -OutputDirectory out\n"
            + $"New-OpenAIImageVariation {Png} -OutFile variation.png\nNew-OpenAIImageVariation {Png} -OutFile variation.png -Force",
            4,
            Variations,
            Check: (run, temp) =>
            {
                Assert.Equal(2, Directory.GetFiles(Path.Combine(temp, "out")).Length);
                Assert.True(File.Exists(Path.Combine(temp, "variation.png")), run.Describe());
            }));
        cases.Add(new(
            "Variation: -ApiKey and -BaseUri instead of the environment, -TimeoutSec, -MaxRetries",
            "$env:OPENAI_API_KEY = $null\n$env:OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'\n"
            + $"New-OpenAIImageVariation -Path {Png} -ApiKey 'sk-explicit-key' -BaseUri $PrismBase -TimeoutSec 86400 -MaxRetries 20",
            1,
            Variations));

        cases.Add(new(
            "Variation: -AdditionalBody as multipart text fields",
            $"New-OpenAIImageVariation -Path {Png} -Size 256x256 -AdditionalBody @{{ size = '512x512'; n = 2; response_format = 'b64_json' }}",
            1,
            Variations));

        // ---------- Save-OpenAIImage on what Prism returned ----------
        // Prism's data item carries both b64_json and url ("http://example.com", not reachable and not part of the
        // API), so Save-OpenAIImage saves the decoded bytes here; its downloads are covered with the fake's url items.
        cases.Add(new(
            "Save: Prism's results to -Path and -OutputDirectory, -InputObject, -Force, -TimeoutSec",
            $"$r = New-OpenAIImage {Prompt} -Model dall-e-2 -ResponseFormat url\n"
            + "$r | Save-OpenAIImage -Path saved.png\n"
            + "Save-OpenAIImage -InputObject $r -OutputDirectory out -TimeoutSec 30\n"
            + "$r | Save-OpenAIImage saved.png -Force",
            1,
            Generations,
            Images: 0,
            Check: (run, temp) =>
            {
                var saved = run.Result.Objects<FileInfo>();
                Assert.Equal(3, saved.Count);
                Assert.All(saved, f => Assert.True(File.ReadAllBytes(f.FullName).AsSpan().StartsWith(PngSignature), f.FullName));
                Assert.Equal(Path.Combine(temp, "saved.png"), saved[0].FullName);
            }));

        var duplicates = cases.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        return duplicates.Count == 0 ? cases : throw new InvalidOperationException("duplicate matrix names: " + string.Join(", ", duplicates));
    }
}
