using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace OpenAI.Images.Core.Tests.Models;

/// <summary>
/// File names for the images of one cmdlet call: reserved per item in input order, then asked for in whatever order
/// the requests finish. Every test asks in the reverse of input order (the last item finishes first), so a namer that
/// hands names out as images arrive fails them.
/// </summary>
public sealed class ImageFileNamerTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2026, 5, 4, 10, 11, 12, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "namer-" + Guid.NewGuid().ToString("N"));

    public ImageFileNamerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Stamp => Created.ToLocalTime().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);

    private static ImageResult Image(int index = 0, int? partial = null, string? format = null) => new()
    {
        Index = index,
        Created = Created,
        OutputFormat = format,
        IsPartial = partial.HasValue,
        PartialImageIndex = partial,
    };

    private string Name(string path)
    {
        Assert.Equal(_dir, Path.GetDirectoryName(path));
        return Path.GetFileName(path);
    }

    [Fact]
    public void OutFile_SingleImages_AreNamedByInputOrder_WhateverOrderTheyArriveIn()
    {
        var namer = new ImageFileNamer(Path.Combine(_dir, "x.png"), null);
        ReservedImageNames[] items = Enumerable.Range(0, 3).Select(_ => namer.Reserve(1, "ignored")).ToArray();

        string third = Name(items[2].PathFor(Image(), 1));
        string second = Name(items[1].PathFor(Image(), 1));
        string first = Name(items[0].PathFor(Image(), 1));

        Assert.Equal(new[] { "x.png", "x-2.png", "x-3.png" }, new[] { first, second, third });
    }

    [Fact]
    public void OutFile_SeveralImagesPerItem_GetTheNumbersSequentialSavingWouldGive_AndTheirPartialsFollowTheirNames()
    {
        var namer = new ImageFileNamer(Path.Combine(_dir, "set.webp"), null);
        ReservedImageNames a = namer.Reserve(2, "a");
        ReservedImageNames b = namer.Reserve(1, "b");
        ReservedImageNames c = namer.Reserve(2, "c");
        ReservedImageNames d = namer.Reserve(1, "d");

        // Arrival: d, then c's partial of image 1 and its images, then b's partial, b, a's second image, a's first.
        var got = new List<string>
        {
            Name(d.PathFor(Image(), 1)),
            Name(c.PathFor(Image(1, partial: 0), 1)),
            Name(c.PathFor(Image(1), 2)),
            Name(c.PathFor(Image(0), 2)),
            Name(b.PathFor(Image(partial: 0), 1)),
            Name(b.PathFor(Image(), 1)),
            Name(a.PathFor(Image(1), 2)),
            Name(a.PathFor(Image(0), 2)),
        };

        // Saved one after another in input order, the rules give a: set-1, set-2; b: set; c: set-3, set-4; d: set-5.
        Assert.Equal(
            new[] { "set-5.webp", "set-4-partial0.webp", "set-4.webp", "set-3.webp", "set-partial0.webp", "set.webp", "set-2.webp", "set-1.webp" },
            got);
        Assert.Equal(new[] { "set-1", "set-2" }, a.Stems);
    }

    [Fact]
    public void OutFile_WithoutExtension_TakesTheImagesFormat_AndAnUnexpectedExtraImageTakesTheNextFreeNumber()
    {
        var namer = new ImageFileNamer(Path.Combine(_dir, "pic"), null);
        ReservedImageNames a = namer.Reserve(1, "a");
        ReservedImageNames b = namer.Reserve(1, "b");

        Assert.Equal("pic-2.jpg", Name(b.PathFor(Image(format: "jpeg"), 1)));
        Assert.Equal("pic.webp", Name(a.PathFor(Image(format: "webp"), 2)));

        // The server sent two images for an item that asked for one: the second is numbered past every reserved name.
        Assert.Equal("pic-3.webp", Name(a.PathFor(Image(1, format: "webp"), 2)));
        Assert.Equal("pic-3.webp", Name(a.PathFor(Image(1, format: "webp"), 2)));
    }

    [Fact]
    public void Directory_ItemsWithTheSameSlug_AreNumberedByInputOrder_AndAnExistingFileIsSkipped()
    {
        var namer = new ImageFileNamer(null, _dir);
        ReservedImageNames first = namer.Reserve(1, "cat");
        ReservedImageNames dog = namer.Reserve(1, "dog");
        ReservedImageNames second = namer.Reserve(1, "cat");
        ReservedImageNames third = namer.Reserve(2, "cat");
        File.WriteAllText(Path.Combine(_dir, Stamp + "-dog.png"), "someone else's");

        string thirdName2 = Name(third.PathFor(Image(1), 2));
        string thirdName1 = Name(third.PathFor(Image(0), 2));
        string secondName = Name(second.PathFor(Image(), 1));
        string dogName = Name(dog.PathFor(Image(), 1));
        string firstName = Name(first.PathFor(Image(), 1));

        Assert.Equal(Stamp + "-cat.png", firstName);
        Assert.Equal(Stamp + "-cat-2.png", secondName);
        Assert.Equal(Stamp + "-cat-1-3.png", thirdName1);
        Assert.Equal(Stamp + "-cat-2-3.png", thirdName2);
        Assert.Equal(Stamp + "-dog-2.png", dogName);
    }

    [Fact]
    public void Next_StillNamesOneAfterAnother_ForSaveOpenAIImage()
    {
        var namer = new ImageFileNamer(Path.Combine(_dir, "s.png"), null);

        Assert.Equal("s-1.png", Name(namer.Next(Image(0), 2, "a")));
        Assert.Equal("s-2.png", Name(namer.Next(Image(1), 2, "a")));
        Assert.Equal("s.png", Name(namer.Next(Image(0), 1, "a")));
        Assert.Equal("s-3.png", Name(namer.Next(Image(0), 1, "a")));
    }
}
