// UART transmitter, 8N1, LSB first.
//
// A byte is accepted when tx_valid_i and tx_ready_o are both high. tx_ready_o is high while the
// transmitter is idle and also in the last clock of a stop bit, so a byte offered back to back
// follows the previous one without a gap: a continuous stream takes exactly 10 * CLKS_PER_BIT
// clocks per byte. The serial output is a register (glitch-free) and idles high.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module uart_tx #(
  parameter int unsigned CLKS_PER_BIT = 8
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // Byte stream in (valid/ready)
  input  logic [7:0] tx_data_i,
  input  logic       tx_valid_i,
  output logic       tx_ready_o,
  // Serial line
  output logic       tx_o
);

  localparam int unsigned CntW = (CLKS_PER_BIT > 1) ? $clog2(CLKS_PER_BIT) : 1;
  localparam logic [CntW-1:0] BitLast = CntW'(CLKS_PER_BIT - 1);

  if (CLKS_PER_BIT < 1) begin : gen_param_check
    $error("uart_tx: CLKS_PER_BIT must be at least 1");
  end

  logic            busy_d, busy_q;
  logic [CntW-1:0] cnt_d, cnt_q;
  logic [3:0]      bits_d, bits_q;   // bits still to send after the one on the line
  logic [8:0]      shift_d, shift_q; // {stop bit, data}: still to send, LSB first
  logic            line_d, line_q;
  logic            bit_done, last_bit, ready;

  assign bit_done = busy_q && (cnt_q == BitLast);
  assign last_bit = bit_done && (bits_q == 4'd0);
  assign ready    = !busy_q || last_bit;

  always_comb begin
    busy_d  = busy_q;
    cnt_d   = cnt_q;
    bits_d  = bits_q;
    shift_d = shift_q;
    line_d  = line_q;

    if (busy_q) begin
      if (bit_done) begin
        cnt_d = '0;
        if (bits_q == 4'd0) begin
          // Stop bit finished.
          busy_d = 1'b0;
          line_d = 1'b1;
        end else begin
          line_d  = shift_q[0];
          shift_d = {1'b1, shift_q[8:1]};
          bits_d  = bits_q - 4'd1;
        end
      end else begin
        cnt_d = cnt_q + 1'b1;
      end
    end

    // Accept a byte: put its start bit on the line next cycle, keep data and stop bit.
    if (ready && tx_valid_i) begin
      busy_d  = 1'b1;
      cnt_d   = '0;
      line_d  = 1'b0;
      shift_d = {1'b1, tx_data_i};
      bits_d  = 4'd9;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      cnt_q   <= '0;
      bits_q  <= 4'd0;
      shift_q <= 9'h1FF;
      line_q  <= 1'b1;
    end else begin
      busy_q  <= busy_d;
      cnt_q   <= cnt_d;
      bits_q  <= bits_d;
      shift_q <= shift_d;
      line_q  <= line_d;
    end
  end

  assign tx_ready_o = ready;
  assign tx_o       = line_q;

endmodule
/* verilator lint_on MULTITOP */
