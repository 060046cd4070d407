using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using OpenAI.Images.Core.Tests.Terminal;
using OpenAI.Images.Imaging;
using OpenAI.Images.Terminal;

/// <summary>
/// `terminal`: renders a 1024x1024 photo-like PNG (RGB and RGBA, plain and Adam7) at 60 cells with each protocol, the
/// way Show-OpenAIImage does, and reports the median time and the bytes allocated per render (the decoded source would
/// be 4 MB as RGBA: the renderer must stay far below that plus the file).
/// </summary>
internal static class TerminalBench
{
    public static int Run(int runs)
    {
        Console.WriteLine($"runs: {runs}; .NET {Environment.Version}; {Environment.ProcessorCount} cores");
        byte[] rgb = TestPng.PhotoLike(1024, 1024, 7);
        byte[] png = TestPng.FromRgb(rgb, 1024, 1024);
        byte[] rgba = TestPng.Encode(1024, 1024, 6, 8, false, (x, y, c) => c < 3 ? rgb[(((y * 1024) + x) * 3) + c] : (x + y) % 256);
        byte[] adam7 = TestPng.Encode(1024, 1024, 2, 8, true, (x, y, c) => rgb[(((y * 1024) + x) * 3) + c]);
        Console.WriteLine($"input: 1024x1024 RGB PNG {png.Length / 1024} KB; RGBA {rgba.Length / 1024} KB; Adam7 RGB {adam7.Length / 1024} KB");
        var options = new TerminalImageOptions { Columns = 60 };
        var rows = new List<string>
        {
            Measure("Sixel, RGB PNG -> 600x600", runs, png, TerminalGraphicsProtocol.Sixel, options),
            Measure("Sixel, RGBA PNG -> 600x600", runs, rgba, TerminalGraphicsProtocol.Sixel, options),
            Measure("Sixel, Adam7 RGB PNG -> 600x600", runs, adam7, TerminalGraphicsProtocol.Sixel, options),
            Measure("Blocks, RGB PNG -> 60x60 (30 rows)", runs, png, TerminalGraphicsProtocol.Blocks, options),
            Measure("kitty, RGB PNG (checked, sent as is)", runs, png, TerminalGraphicsProtocol.Kitty, options),
        };
        Console.WriteLine();
        Console.WriteLine("| scenario | median ms | min ms | allocated MB per op | output KB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static string Measure(string name, int runs, byte[] file, TerminalGraphicsProtocol protocol, TerminalImageOptions options)
    {
        int length = TerminalImageRenderer.Render(new MemoryStream(file, false), protocol, options).Text.Length; // warm-up
        var times = new List<double>();
        var allocs = new List<long>();
        for (int i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            TerminalImageRenderer.Render(new MemoryStream(file, false), protocol, options);
            sw.Stop();
            allocs.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        allocs.Sort();
        string row = $"| {name} | {times[times.Count / 2]:0.0} | {times[0]:0.0} | {allocs[allocs.Count / 2] / 1048576.0:0.00} | {length / 1024} |";
        Console.WriteLine(row);
        return row;
    }
}
