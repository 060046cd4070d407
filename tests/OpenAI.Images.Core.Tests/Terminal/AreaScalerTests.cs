using System;
using OpenAI.Images.Imaging;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.Core.Tests.Terminal;

public class AreaScalerTests
{
    private static readonly TerminalColor Black = new TerminalColor(0, 0, 0);

    [Fact]
    public void TwoByTwoToOneIsTheMean()
    {
        byte[] rgb = Scale(2, 2, 1, 1, Black, Opaque(10, 20, 30), Opaque(30, 40, 50), Opaque(50, 60, 70), Opaque(70, 80, 91));
        Assert.Equal(new byte[] { 40, 50, 60 }, rgb); // 60.25 rounds to 60
    }

    [Fact]
    public void ThreeToTwoWeighsByOverlap()
    {
        // Target 0 covers source 0 fully and a half of source 1: (0*1 + 90*0.5) / 1.5 = 30; target 1: (90*0.5 + 180) / 1.5 = 150.
        byte[] rgb = Scale(3, 1, 2, 1, Black, Opaque(0, 0, 0), Opaque(90, 90, 90), Opaque(180, 180, 180));
        Assert.Equal(new byte[] { 30, 30, 30, 150, 150, 150 }, rgb);
    }

    [Fact]
    public void UpscalingRepeatsAndBlendsAtTheSeams()
    {
        // 2 -> 3: target 1 straddles both sources equally.
        byte[] rgb = Scale(2, 1, 3, 1, Black, Opaque(0, 100, 200), Opaque(100, 200, 0));
        Assert.Equal(new byte[] { 0, 100, 200, 50, 150, 100, 100, 200, 0 }, rgb);

        // 1 -> 3x2: one colour everywhere.
        byte[] flat = Scale(1, 1, 3, 2, Black, Opaque(7, 8, 9));
        for (int i = 0; i < flat.Length; i += 3)
        {
            Assert.Equal(new byte[] { 7, 8, 9 }, flat.AsSpan(i, 3).ToArray());
        }
    }

    [Fact]
    public void HalfTransparentIsCompositedOntoTheBackground()
    {
        var background = new TerminalColor(0, 0, 200);
        byte[] rgb = Scale(1, 1, 1, 1, background, new byte[] { 255, 0, 0, 51 }); // 20% red over blue
        Assert.Equal(new byte[] { 51, 0, 160 }, rgb);
    }

    [Fact]
    public void TransparentPixelsAddNoColour()
    {
        // A fully transparent pixel that still carries red must not tint its neighbour: premultiplied averaging.
        byte[] rgb = Scale(2, 1, 1, 1, Black, new byte[] { 255, 0, 0, 0 }, Opaque(0, 200, 0));
        Assert.Equal(new byte[] { 0, 100, 0 }, rgb);

        var white = new TerminalColor(255, 255, 255);
        byte[] onWhite = Scale(2, 1, 1, 1, white, new byte[] { 255, 0, 0, 0 }, Opaque(0, 0, 0));
        Assert.Equal(new byte[] { 128, 128, 128 }, onWhite); // half background, half black, no red
    }

    [Theory]
    [InlineData(37, 23, 11, 7)]   // down
    [InlineData(5, 3, 17, 13)]    // up: each source row feeds several target rows of the sequential window
    [InlineData(30, 4, 7, 9)]     // down across, up down
    public void RowsInAnyOrderGiveTheSameResultAsInOrder(int w, int h, int tw, int th)
    {
        // Interlaced images deliver rows out of order and in strided pieces: the full accumulators must agree
        // with the sequential window exactly.
        var random = new Random(3);
        var pixels = new byte[w * h * 4];
        random.NextBytes(pixels);
        var sequential = new AreaScaler(w, h, tw, th, sequential: true, Black);
        var scattered = new AreaScaler(w, h, tw, th, sequential: false, Black);
        var row = new byte[w * 4];
        for (int y = 0; y < h; y++)
        {
            Buffer.BlockCopy(pixels, y * w * 4, row, 0, w * 4);
            sequential.AddRow(y, row, 0, 1, w);
        }

        for (int y = h - 1; y >= 0; y--)
        {
            foreach (int start in new[] { 2, 0, 1 })
            {
                int count = 0;
                for (int x = start; x < w; x += 3)
                {
                    Buffer.BlockCopy(pixels, ((y * w) + x) * 4, row, count * 4, 4);
                    count++;
                }

                scattered.AddRow(y, row, start, 3, count);
            }
        }

        Assert.Equal(sequential.Finish(), scattered.Finish());
    }

    [Fact]
    public void LargeDownscaleMatchesADirectAverage()
    {
        // 1000x3 -> 7x1: each target averages a 142.86-pixel-wide strip, checked against a floating point reference.
        const int w = 1000, h = 3;
        var pixels = new byte[w * h * 4];
        new Random(9).NextBytes(pixels);
        for (int i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 255;
        }

        var scaler = new AreaScaler(w, h, 7, 1, true, Black);
        var row = new byte[w * 4];
        for (int y = 0; y < h; y++)
        {
            Buffer.BlockCopy(pixels, y * w * 4, row, 0, w * 4);
            scaler.AddRow(y, row, 0, 1, w);
        }

        byte[] result = scaler.Finish();
        for (int t = 0; t < 7; t++)
        {
            double from = t * w / 7.0, to = (t + 1) * w / 7.0;
            for (int c = 0; c < 3; c++)
            {
                double sum = 0, weight = 0;
                for (int x = (int)from; x < Math.Ceiling(to); x++)
                {
                    double overlap = Math.Min(to, x + 1) - Math.Max(from, x);
                    for (int y = 0; y < h; y++)
                    {
                        sum += pixels[(((y * w) + x) * 4) + c] * overlap;
                        weight += overlap;
                    }
                }

                Assert.InRange(result[(t * 3) + c], (int)Math.Floor(sum / weight), (int)Math.Ceiling(sum / weight));
            }
        }
    }

    private static byte[] Opaque(byte r, byte g, byte b) => new byte[] { r, g, b, 255 };

    private static byte[] Scale(int w, int h, int tw, int th, TerminalColor background, params byte[][] pixels)
    {
        var scaler = new AreaScaler(w, h, tw, th, true, background);
        var row = new byte[w * 4];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                Buffer.BlockCopy(pixels[(y * w) + x], 0, row, x * 4, 4);
            }

            scaler.AddRow(y, row, 0, 1, w);
        }

        return scaler.Finish();
    }
}
