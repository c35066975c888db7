using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class G711Tests
{
    // PROTOCOLS.md section 5.1 test vectors (audioop agrees).
    [Theory]
    [InlineData(0, 0xFF, 0, 0xD5, 8)]
    [InlineData(1, 0xFF, 0, 0xD5, 8)]
    [InlineData(-1, 0x7E, -8, 0x55, -8)]
    [InlineData(4, 0xFE, 8, 0xD5, 8)]
    [InlineData(100, 0xF2, 104, 0xD3, 104)]
    [InlineData(-100, 0x72, -104, 0x53, -104)]
    [InlineData(1000, 0xCE, 988, 0xFA, 1008)]
    [InlineData(-1000, 0x4E, -988, 0x7A, -1008)]
    [InlineData(4096, 0xAF, 4092, 0x85, 4224)]
    [InlineData(-4096, 0x2F, -4092, 0x1A, -4032)]
    [InlineData(8000, 0xA0, 7932, 0x8A, 8064)]
    [InlineData(16384, 0x8F, 16764, 0xA5, 16896)]
    [InlineData(32767, 0x80, 32124, 0xAA, 32256)]
    [InlineData(-32768, 0x00, -32124, 0x2A, -32256)]
    public void Codecs_ProtocolTableRow_MatchReference(int pcm, int muLaw, int muLawDecoded, int aLaw, int aLawDecoded)
    {
        Assert.Equal((byte)muLaw, G711.LinearToMuLaw((short)pcm));
        Assert.Equal((short)muLawDecoded, G711.MuLawToLinear((byte)muLaw));
        Assert.Equal((byte)aLaw, G711.LinearToALaw((short)pcm));
        Assert.Equal((short)aLawDecoded, G711.ALawToLinear((byte)aLaw));
    }

    [Theory]
    [InlineData(0x00, -32124)]
    [InlineData(0x7F, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0xFF, 0)]
    public void MuLawToLinear_DocumentedCode_ReturnsDocumentedValue(int code, int expected) =>
        Assert.Equal((short)expected, G711.MuLawToLinear((byte)code));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    public void ALawToLinear_DocumentedCode_ReturnsDocumentedValue(int code, int expected) =>
        Assert.Equal((short)expected, G711.ALawToLinear((byte)code));

    [Fact]
    public void MuLawToLinear_All256Codes_MatchTextbookFormula()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal(ReferenceMuLawDecode(code), G711.MuLawToLinear((byte)code));
        }
    }

    [Fact]
    public void ALawToLinear_All256Codes_MatchTextbookFormula()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal(ReferenceALawDecode(code), G711.ALawToLinear((byte)code));
        }
    }

    [Fact]
    public void LinearToMuLaw_All65536Inputs_MatchDirectSunAlgorithm()
    {
        var mismatches = 0;
        for (int pcm = short.MinValue; pcm <= short.MaxValue; pcm++)
        {
            if (G711.LinearToMuLaw((short)pcm) != ReferenceLinearToMuLaw((short)pcm))
            {
                mismatches++;
            }
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void LinearToALaw_All65536Inputs_MatchDirectSunAlgorithm()
    {
        var mismatches = 0;
        for (int pcm = short.MinValue; pcm <= short.MaxValue; pcm++)
        {
            if (G711.LinearToALaw((short)pcm) != ReferenceLinearToALaw((short)pcm))
            {
                mismatches++;
            }
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void MuLawRoundTrip_AllInputs_ErrorWithinHalfSegmentStep()
    {
        for (int pcm = short.MinValue; pcm <= short.MaxValue; pcm++)
        {
            var decoded = G711.MuLawToLinear(G711.LinearToMuLaw((short)pcm));
            Assert.True(Math.Sign(decoded) == Math.Sign(pcm) || Math.Abs(pcm) <= 4, $"sign flipped for {pcm}");
            if (Math.Abs(pcm) > 32124)
            {
                // Beyond the largest code everything clips to it.
                Assert.Equal(32124, Math.Abs((int)decoded));
            }
            else
            {
                // Quantisation step in segment e is 8 << e, i.e. at most |x| / 16 + 8.
                Assert.True(Math.Abs(decoded - pcm) <= (Math.Abs(pcm) / 32) + 8, $"{pcm} -> {decoded}");
            }
        }
    }

    [Fact]
    public void ALawRoundTrip_AllInputs_ErrorWithinHalfSegmentStep()
    {
        for (int pcm = short.MinValue; pcm <= short.MaxValue; pcm++)
        {
            var decoded = G711.ALawToLinear(G711.LinearToALaw((short)pcm));
            if (Math.Abs(pcm) > 32256)
            {
                Assert.Equal(32256, Math.Abs((int)decoded));
            }
            else
            {
                Assert.True(Math.Abs(decoded - pcm) <= (Math.Abs(pcm) / 32) + 16, $"{pcm} -> {decoded}");
            }
        }
    }

    [Fact]
    public void SilenceBytes_Decode_ToZeroOrSmallestStep()
    {
        Assert.Equal(0, G711.MuLawToLinear(G711.MuLawSilence));
        Assert.Equal(8, G711.ALawToLinear(G711.ALawSilence));
        Assert.Equal(G711.MuLawSilence, G711.LinearToMuLaw(0));
        Assert.Equal(G711.ALawSilence, G711.LinearToALaw(0));
    }

    [Fact]
    public void SpanConversions_MatchScalarFunctions()
    {
        var pcm = Signal.Noise(1000, seed: 7, amplitude: 32767);
        var mu = new byte[pcm.Length];
        var a = new byte[pcm.Length];
        G711.PcmToMuLaw(pcm, mu);
        G711.PcmToALaw(pcm, a);
        var muBack = new short[pcm.Length];
        var aBack = new short[pcm.Length];
        G711.MuLawToPcm(mu, muBack);
        G711.ALawToPcm(a, aBack);

        for (var i = 0; i < pcm.Length; i++)
        {
            Assert.Equal(G711.LinearToMuLaw(pcm[i]), mu[i]);
            Assert.Equal(G711.LinearToALaw(pcm[i]), a[i]);
            Assert.Equal(G711.MuLawToLinear(mu[i]), muBack[i]);
            Assert.Equal(G711.ALawToLinear(a[i]), aBack[i]);
        }
    }

    [Fact]
    public void SpanConversions_DestinationTooShort_Throw()
    {
        Assert.Throws<ArgumentException>(() => G711.PcmToMuLaw(new short[4], new byte[3]));
        Assert.Throws<ArgumentException>(() => G711.MuLawToPcm(new byte[4], new short[3]));
        Assert.Throws<ArgumentException>(() => G711.PcmToALaw(new short[4], new byte[3]));
        Assert.Throws<ArgumentException>(() => G711.ALawToPcm(new byte[4], new short[3]));
    }

    [Fact]
    public void SpanConversions_AfterWarmUp_AllocateNothing()
    {
        var pcm = Signal.Noise(160, seed: 3);
        var bytes = new byte[160];

        Assert.Equal(0, SteadyStateAllocations.Measure(() =>
        {
            G711.PcmToMuLaw(pcm, bytes);
            G711.MuLawToPcm(bytes, pcm);
            G711.PcmToALaw(pcm, bytes);
            G711.ALawToPcm(bytes, pcm);
        }));
    }

    // Textbook μ-law expansion: magnitude = (2m + 33) * 2^(e+2) - 132 on the complemented code.
    private static short ReferenceMuLawDecode(int code)
    {
        var inverted = ~code & 0xFF;
        var negative = inverted >= 0x80;
        var exponent = (inverted / 16) % 8;
        var mantissa = inverted % 16;
        var magnitude = ((2 * mantissa) + 33) * (int)Math.Pow(2, exponent + 2) - 132;
        return (short)(negative ? -magnitude : magnitude);
    }

    // Textbook A-law expansion on the code with even bits inverted; the sign bit set means positive.
    private static short ReferenceALawDecode(int code)
    {
        var value = code ^ 0x55;
        var positive = value >= 0x80;
        var exponent = (value / 16) % 8;
        var mantissa = value % 16;
        var magnitude = exponent == 0
            ? ((2 * mantissa) + 1) * 8
            : ((2 * mantissa) + 33) * (int)Math.Pow(2, exponent + 2);
        return (short)(positive ? magnitude : -magnitude);
    }

    // Sun g711.c linear2ulaw written out as in C, with its segment end table and linear search.
    private static readonly short[] SegUEnd = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
    private static readonly short[] SegAEnd = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];

    private static int Search(int value, short[] table)
    {
        for (var i = 0; i < table.Length; i++)
        {
            if (value <= table[i])
            {
                return i;
            }
        }

        return table.Length;
    }

    private static byte ReferenceLinearToMuLaw(short pcm)
    {
        const int bias = 0x84;
        const int clip = 8159;
        int value = pcm;
        value /= 4;
        if (pcm < 0 && pcm % 4 != 0)
        {
            value--; // C's >> on a negative short floors; / truncates, so correct it.
        }

        int mask;
        if (value < 0)
        {
            value = -value;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }

        if (value > clip)
        {
            value = clip;
        }

        value += bias / 4;
        var seg = Search(value, SegUEnd);
        if (seg >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var uval = (seg * 16) | ((value / (1 << (seg + 1))) & 0xF);
        return (byte)(uval ^ mask);
    }

    private static byte ReferenceLinearToALaw(short pcm)
    {
        var value = (int)Math.Floor(pcm / 8.0);
        int mask;
        if (value >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            value = -value - 1;
        }

        var seg = Search(value, SegAEnd);
        if (seg >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var aval = seg * 16;
        aval |= seg < 2 ? (value / 2) & 0xF : (value / (1 << seg)) & 0xF;
        return (byte)(aval ^ mask);
    }
}
