// Frame transmitter: the response encoder.
//
// On start_i (while not busy) it latches seq_i, opcode_i and len_i and streams one frame,
//   SOF | LEN u16 LE | SEQ | OPC | HCRC | payload[LEN] | FCRC u32 LE,
// into a byte sink with a valid/ready handshake (uart_tx). Payload byte i is fetched through the
// read port pl_raddr_o -> pl_rdata_i, which must have a 1-cycle latency (a block RAM); pl_raddr_o
// is held stable while a read is outstanding. The caller owns the payload buffer and must keep it
// unchanged while busy_o is high. HCRC and FCRC are computed on the fly with the functions of
// hil_protocol_pkg.
//
// opcode_i is sent as given: for a response the caller sets RESPONSE_FLAG. len_i must not exceed
// MAX_PAYLOAD (a receiver would reject the frame with BAD_LENGTH); it is not checked here.
// busy_o is high from the accepted start_i until the last FCRC byte has been handed to the sink;
// done_o pulses for one cycle then (the UART may still be shifting that byte out).

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module frame_tx
  import hil_protocol_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,
  // Command
  input  logic        start_i,
  input  logic [7:0]  seq_i,
  input  logic [7:0]  opcode_i,
  input  logic [15:0] len_i,
  output logic        busy_o,
  output logic        done_o,
  // Payload read port (1-cycle latency)
  output logic [15:0] pl_raddr_o,
  input  logic [7:0]  pl_rdata_i,
  // Byte stream out (to uart_tx)
  output logic [7:0]  tx_data_o,
  output logic        tx_valid_o,
  input  logic        tx_ready_i
);

  typedef enum logic [2:0] {
    StIdle,
    StHeader,
    StPlRead,
    StPlWait,
    StPlSend,
    StTrailer
  } tx_state_e;

  tx_state_e   state_d, state_q;
  logic [7:0]  seq_d, seq_q;
  logic [7:0]  opc_d, opc_q;
  logic [15:0] len_d, len_q;
  logic [15:0] idx_d, idx_q;    // header byte, payload byte or trailer byte index
  logic [7:0]  hcrc_d, hcrc_q;
  logic [31:0] fcrc_d, fcrc_q;
  logic [31:0] fcrc_out;
  logic [7:0]  data_d, data_q;  // byte offered to the sink
  logic        valid_d, valid_q;
  logic        done_d, done_q;
  logic        accepted;

  assign accepted = valid_q && tx_ready_i;
  assign fcrc_out = fcrc_q ^ FCRC_XOROUT;

  always_comb begin
    state_d = state_q;
    seq_d   = seq_q;
    opc_d   = opc_q;
    len_d   = len_q;
    idx_d   = idx_q;
    hcrc_d  = hcrc_q;
    fcrc_d  = fcrc_q;
    data_d  = data_q;
    valid_d = valid_q;
    done_d  = 1'b0;

    unique case (state_q)
      // Wait for a command.
      StIdle: begin
        if (start_i) begin
          seq_d   = seq_i;
          opc_d   = opcode_i;
          len_d   = len_i;
          idx_d   = 16'd0;
          hcrc_d  = HCRC_INIT_REG;
          fcrc_d  = FCRC_INIT_REG;
          state_d = StHeader;
        end
      end

      // SOF, LEN lo, LEN hi, SEQ, OPC, HCRC; both CRCs run over each byte as it is accepted.
      StHeader: begin
        if (!valid_q) begin
          valid_d = 1'b1;
          unique case (idx_q[2:0])
            3'd0: data_d = SOF;
            3'd1: data_d = len_q[7:0];
            3'd2: data_d = len_q[15:8];
            3'd3: data_d = seq_q;
            3'd4: data_d = opc_q;
            default: data_d = hcrc_q ^ HCRC_XOROUT;
          endcase
        end else if (accepted) begin
          valid_d = 1'b0;
          hcrc_d  = hcrc_update(hcrc_q, data_q);
          fcrc_d  = fcrc_update(fcrc_q, data_q);
          if (idx_q == 16'd5) begin
            idx_d   = 16'd0;
            state_d = (len_q == 16'd0) ? StTrailer : StPlRead;
          end else begin
            idx_d = idx_q + 16'd1;
          end
        end
      end

      // Present the payload address (pl_raddr_o = idx_q) ...
      StPlRead: state_d = StPlWait;

      // ... and take the byte one cycle later.
      StPlWait: begin
        data_d  = pl_rdata_i;
        valid_d = 1'b1;
        state_d = StPlSend;
      end

      StPlSend: begin
        if (accepted) begin
          valid_d = 1'b0;
          fcrc_d  = fcrc_update(fcrc_q, data_q);
          if (idx_q == len_q - 16'd1) begin
            idx_d   = 16'd0;
            state_d = StTrailer;
          end else begin
            idx_d   = idx_q + 16'd1;
            state_d = StPlRead;
          end
        end
      end

      // FCRC, little-endian.
      StTrailer: begin
        if (!valid_q) begin
          valid_d = 1'b1;
          unique case (idx_q[1:0])
            2'd0: data_d = fcrc_out[7:0];
            2'd1: data_d = fcrc_out[15:8];
            2'd2: data_d = fcrc_out[23:16];
            default: data_d = fcrc_out[31:24];
          endcase
        end else if (accepted) begin
          valid_d = 1'b0;
          if (idx_q == 16'd3) begin
            done_d  = 1'b1;
            state_d = StIdle;
          end else begin
            idx_d = idx_q + 16'd1;
          end
        end
      end

      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      seq_q   <= 8'h00;
      opc_q   <= 8'h00;
      len_q   <= 16'd0;
      idx_q   <= 16'd0;
      hcrc_q  <= HCRC_INIT_REG;
      fcrc_q  <= FCRC_INIT_REG;
      data_q  <= 8'h00;
      valid_q <= 1'b0;
      done_q  <= 1'b0;
    end else begin
      state_q <= state_d;
      seq_q   <= seq_d;
      opc_q   <= opc_d;
      len_q   <= len_d;
      idx_q   <= idx_d;
      hcrc_q  <= hcrc_d;
      fcrc_q  <= fcrc_d;
      data_q  <= data_d;
      valid_q <= valid_d;
      done_q  <= done_d;
    end
  end

  assign busy_o     = (state_q != StIdle);
  assign done_o     = done_q;
  assign pl_raddr_o = idx_q;
  assign tx_data_o  = data_q;
  assign tx_valid_o = valid_q;

endmodule
/* verilator lint_on MULTITOP */
