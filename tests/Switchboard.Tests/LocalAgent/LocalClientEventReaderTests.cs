using System.Text;
using System.Text.Json;
using Switchboard.LocalAgent.Protocol;

namespace Switchboard.Tests.LocalAgent;

public sealed class LocalClientEventReaderTests
{
    [Fact]
    public void Read_Append_LocatesAudioWithoutCopying()
    {
        var message = Encoding.UTF8.GetBytes("""{"event_id":"e1","audio":"AAEC","type":"input_audio_buffer.append"}""");
        var scratch = Array.Empty<byte>();

        var envelope = LocalClientEventReader.Read(message, ref scratch);

        Assert.Equal(LocalClientEventKind.InputAudioBufferAppend, envelope.Kind);
        Assert.True(envelope.HasAudio);
        Assert.False(envelope.AudioUnescaped);
        Assert.Equal("AAEC", Encoding.UTF8.GetString(message, envelope.AudioStart, envelope.AudioLength));
        Assert.Equal("e1", LocalClientEventReader.EventId(message, envelope));
        Assert.Empty(scratch);
    }

    [Fact]
    public void Read_EscapedBase64_IsUnescapedIntoScratch()
    {
        // System.Text.Json's default encoder writes '+' as \u002B; some encoders write '/' as \/.
        var message = Encoding.UTF8.GetBytes("""{"type":"input_audio_buffer.append","audio":"ab\u002Bc\/d=="}""");
        var scratch = Array.Empty<byte>();

        var envelope = LocalClientEventReader.Read(message, ref scratch);

        Assert.True(envelope.AudioUnescaped);
        Assert.Equal("ab+c/d==", Encoding.UTF8.GetString(scratch, 0, envelope.AudioLength));
    }

    [Theory]
    [InlineData("session.update", nameof(LocalClientEventKind.SessionUpdate))]
    [InlineData("input_audio_buffer.commit", nameof(LocalClientEventKind.InputAudioBufferCommit))]
    [InlineData("input_audio_buffer.clear", nameof(LocalClientEventKind.InputAudioBufferClear))]
    [InlineData("conversation.item.create", nameof(LocalClientEventKind.ConversationItemCreate))]
    [InlineData("conversation.item.truncate", nameof(LocalClientEventKind.ConversationItemTruncate))]
    [InlineData("conversation.item.delete", nameof(LocalClientEventKind.ConversationItemDelete))]
    [InlineData("conversation.item.retrieve", nameof(LocalClientEventKind.ConversationItemRetrieve))]
    [InlineData("response.create", nameof(LocalClientEventKind.ResponseCreate))]
    [InlineData("response.cancel", nameof(LocalClientEventKind.ResponseCancel))]
    [InlineData("output_audio_buffer.clear", nameof(LocalClientEventKind.OutputAudioBufferClear))]
    [InlineData("response.audio.delta", nameof(LocalClientEventKind.Unknown))]
    public void Read_ClassifiesType(string type, string kind)
    {
        var message = Encoding.UTF8.GetBytes($$$"""{"type":"{{{type}}}","session":{"type":"realtime","nested":[1,{"a":"b"}]}}""");
        var scratch = Array.Empty<byte>();
        var envelope = LocalClientEventReader.Read(message, ref scratch);
        Assert.Equal(Enum.Parse<LocalClientEventKind>(kind), envelope.Kind);
        Assert.Equal(type, LocalClientEventReader.Type(message, envelope));
    }

    [Fact]
    public void Read_NoType_IsMissing()
    {
        var message = Encoding.UTF8.GetBytes("""{"event_id":"x"}""");
        var scratch = Array.Empty<byte>();
        Assert.Equal(LocalClientEventKind.Missing, LocalClientEventReader.Read(message, ref scratch).Kind);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"type\": ")]
    [InlineData("not json")]
    [InlineData("")]
    public void Read_NotAnObject_ThrowsJsonException(string json)
    {
        var scratch = Array.Empty<byte>();
        Assert.ThrowsAny<JsonException>(() => LocalClientEventReader.Read(Encoding.UTF8.GetBytes(json), ref scratch));
    }
}
