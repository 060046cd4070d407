using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Text;
using OpenAI.Images.Batch;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Requests;

/// <summary>The core of -AdditionalBody: conversion to JSON values, the merge into the module's fields, and its checks.</summary>
public class AdditionalBodyTests
{
    private static ImageGenerationRequest Generation(IDictionary? extras) =>
        new() { Prompt = "a fox", Model = "gpt-image-2", Quality = "low", User = "u-1", AdditionalBody = extras };

    private static OrderedDictionary Ordered(params (string Key, object? Value)[] entries)
    {
        var d = new OrderedDictionary();
        foreach ((string key, object? value) in entries)
        {
            d[key] = value;
        }

        return d;
    }

    [Fact]
    public void EveryNumericType_KeepsItsJsonNumberText_AndFloatsRoundTrip()
    {
        var request = Generation(Ordered(
            ("sb", (sbyte)-1), ("b", (byte)2), ("s", (short)-3), ("us", (ushort)4), ("i", 5), ("ui", 6u), ("l", long.MinValue),
            ("ul", ulong.MaxValue), ("dec", 1.50m), ("f", 0.1f), ("d", 1e-7), ("c", 'x'), ("t", true)));

        string json = Encoding.UTF8.GetString(RequestBody.Json(request));

        Assert.Equal(
            """{"prompt":"a fox","model":"gpt-image-2","quality":"low","user":"u-1","sb":-1,"b":2,"s":-3,"us":4,"i":5,"ui":6,"l":-9223372036854775808,"ul":18446744073709551615,"dec":1.50,"f":0.10000000149011612,"d":1E-07,"c":"x","t":true}""",
            json);
    }

    [Fact]
    public void Merge_ReplacesInPlace_RemovesOnNull_AppendsTheRest_AndIgnoresNullForAFieldNotSent()
    {
        var request = Generation(Ordered(("user", null), ("quality", "xhigh"), ("extra", new[] { 1, 2 }), ("style", null)));

        List<KeyValuePair<string, object>> fields = RequestBody.Fields(request);

        Assert.Equal(["prompt", "model", "quality", "extra"], fields.Select(f => f.Key));
        Assert.Equal("""{"prompt":"a fox","model":"gpt-image-2","quality":"xhigh","extra":[1,2]}""", Encoding.UTF8.GetString(RequestBody.Json(request)));
        var notes = new List<string>();
        AdditionalBody.Validate(request, jsonBody: true, notes.Add);
        Assert.Equal(
            [
                "-AdditionalBody removes the field 'user' (\"u-1\") from the request.",
                "-AdditionalBody replaces the field 'quality': \"low\" -> \"xhigh\".",
                "-AdditionalBody: 'style' is $null and the module does not send that field; nothing to remove.",
            ],
            notes);
        Assert.Equal("user removed, quality=\"xhigh\", extra=[1,2], style removed", AdditionalBody.Describe(request));
    }

    [Fact]
    public void Multipart_SendsText_AndTheSummaryShowsIt()
    {
        var request = new ImageVariationRequest { Model = "dall-e-2", AdditionalBody = Ordered(("n", 2), ("strength", 0.5), ("flag", false)) };

        Assert.Equal(
            "multipart/form-data: model=dall-e-2; n=2; strength=0.5; flag=false",
            RequestBody.Summarize(request));
    }

    [Fact]
    public void ADictionaryThatContainsItself_IsRefused_NotARecursionWithoutEnd()
    {
        var loop = new Hashtable();
        loop["self"] = loop;

        var ex = Assert.Throws<OpenAIValidationException>(() => AdditionalBody.Validate(Generation(loop), jsonBody: true));

        Assert.Equal("AdditionalBodyTooDeep", ex.Rule);
    }

    [Fact]
    public void NoExtras_LeaveTheBodyAlone()
    {
        Assert.Equal(RequestBody.ModuleFields(Generation(null)), RequestBody.Fields(Generation(new Hashtable())));
        Assert.Null(AdditionalBody.Describe(Generation(null)));
    }

    [Fact]
    public void BatchEditLine_ImagesAndMaskKeys_ReplaceOrDropTheModulesFileIds()
    {
        string png = TestAssets.Path("sample-8x8.png");

        var edit = new ImageEditRequest { Prompt = "hat", Model = "gpt-image-2", Mask = ImageInputFile.FromPath(png), AdditionalBody = Ordered(("mask", null)) };
        edit.Images.Add(ImageInputFile.FromPath(png));

        string line = Encoding.UTF8.GetString(ImageBatchPlanner.Line(new ImageBatchItem(edit, "00001-x"), _ => "file-abc"));

        Assert.Contains("\"images\":[{\"file_id\":\"file-abc\"}]", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\"mask\"", line, StringComparison.Ordinal);
    }
}
